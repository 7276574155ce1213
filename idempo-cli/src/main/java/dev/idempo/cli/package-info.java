/**
 * The {@code idempo} command: {@code demo}, {@code gateway} (the gateway's flags and launcher) and
 * {@code request} (a curl-like client that retries with one key). An application, not an API.
 */
package dev.idempo.cli;
