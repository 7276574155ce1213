package dev.idempo.http;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * What {@link HttpIdempotency#begin} needs to know about a request, implemented by each server
 * adapter over its own request type. Implementations need not be thread-safe: one request is
 * handled by one {@code begin} call.
 */
public interface IncomingRequest {
  /** The method as sent, e.g. {@code POST}. */
  String method();

  /**
   * The path the application routes on, starting with {@code /}, without the query: for a servlet
   * container the context-relative servlet path plus path info.
   */
  String path();

  /**
   * The path as the client sent it, for the fingerprint: where {@link #path()} is decoded or
   * stripped (a servlet container drops {@code ;matrix=parameters}), the raw form, so two requests
   * the application may tell apart never share a fingerprint. By default {@link #path()}.
   */
  default String targetPath() {
    return path();
  }

  /** The raw query string without the {@code ?}, or {@code ""} when the request has none. */
  String query();

  /**
   * The values of header {@code name} (any case), one per header line, in the order received; empty
   * when the request has no such header.
   */
  List<String> headers(String name);

  /**
   * Reads the whole body into memory, at most {@code limit} bytes: first against a declared {@code
   * Content-Length}, then by counting the bytes read, so a body longer than the limit is never
   * buffered whole. {@link HttpIdempotency#begin} calls this at most once, and only for a guarded
   * request that carries a key; the adapter keeps the bytes so the handler (or the upstream) can
   * read the body again.
   *
   * @param limit the most bytes to read, 0 or more
   * @throws RequestBodyTooLargeException if the body is longer than {@code limit} bytes
   * @throws IOException if reading fails (the client went away)
   */
  byte[] body(int limit) throws IOException;

  /**
   * The TLS client certificate chain the server verified for this connection, the client's own
   * certificate first; empty when TLS is not terminated here or the client sent none (the default).
   * Read by {@link TenantSource#tlsClientSubject()}.
   */
  default List<X509Certificate> clientCertificates() {
    return List.of();
  }

  /**
   * A request held in memory, for tests and for adapters that have buffered the request already.
   *
   * @param headers header values by name; looked up case-insensitively
   * @throws NullPointerException if an argument is null
   */
  static IncomingRequest of(
      String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
    return new BufferedIncomingRequest(method, path, query, headers, body);
  }
}
