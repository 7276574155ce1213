/**
 * Not API: argument checks, hashing and the stored outcome format, shared by the core's packages
 * and exported to {@code dev.idempo.jdbc} alone. May change in any release.
 */
package dev.idempo.internal;
