/**
 * Idempotency-Key semantics for HTTP servers and proxies, with no server API. Adapters implement
 * {@link dev.idempo.http.IncomingRequest} and drive {@link dev.idempo.http.HttpIdempotency}: its
 * {@link dev.idempo.http.Decision} says whether to pass a request through, answer it (a replay or
 * an RFC 9457 problem), or run it under an {@link dev.idempo.http.HttpAttempt} that is finished
 * with the captured response.
 */
package dev.idempo.http;
