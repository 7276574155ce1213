/**
 * Idempo for HTTP with no server API: {@code Idempotency-Key} parsing, request fingerprints, route
 * policy, RFC 9457 problem responses, response capture, sanitizing and encryption, and {@link
 * dev.idempo.http.HttpIdempotency}, the flow every server adapter drives.
 */
module dev.idempo.http {
  requires transitive dev.idempo.core;

  exports dev.idempo.http;
}
