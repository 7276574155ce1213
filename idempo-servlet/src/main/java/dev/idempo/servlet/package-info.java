/** Idempo for Jakarta Servlet 6 containers: {@link dev.idempo.servlet.IdempotencyFilter}. */
package dev.idempo.servlet;
