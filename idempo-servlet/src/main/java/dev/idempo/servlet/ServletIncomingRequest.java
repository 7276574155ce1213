package dev.idempo.servlet;

import dev.idempo.http.IncomingRequest;
import dev.idempo.http.RequestBodyTooLargeException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * A servlet request as {@link dev.idempo.http.HttpIdempotency} sees it. The path is the
 * context-relative path the container routes on (servlet path plus path info); the body, once read,
 * is kept for the handler. Public for adapters built on the filter's pieces (the Spring starter's
 * transactional mode). Not thread-safe: one per request.
 */
public final class ServletIncomingRequest implements IncomingRequest {
  private static final int CHUNK = 8192;

  private final HttpServletRequest request;
  private byte[] body;

  public ServletIncomingRequest(HttpServletRequest request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String path() {
    String servletPath = request.getServletPath();
    String pathInfo = request.getPathInfo();
    String path = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    return path.isEmpty() ? "/" : path;
  }

  /**
   * The request URI as sent (context path included, still encoded, {@code ;matrix} parameters
   * kept): the container strips parameters from {@link #path()}, yet the application may read them.
   */
  @Override
  public String targetPath() {
    String uri = request.getRequestURI();
    return uri == null || uri.isEmpty() ? path() : uri;
  }

  @Override
  public String query() {
    String query = request.getQueryString();
    return query == null ? "" : query;
  }

  @Override
  public List<String> headers(String name) {
    Enumeration<String> values = request.getHeaders(name);
    return values == null ? List.of() : Collections.list(values);
  }

  /** The chain the container verified ({@code jakarta.servlet.request.X509Certificate}). */
  @Override
  public List<X509Certificate> clientCertificates() {
    return clientCertificates(request);
  }

  /** The TLS client certificate chain the container put on {@code request}, or none. */
  static List<X509Certificate> clientCertificates(HttpServletRequest request) {
    Object chain = request.getAttribute("jakarta.servlet.request.X509Certificate");
    return chain instanceof X509Certificate[] certificates ? List.of(certificates) : List.of();
  }

  /** Checks the declared Content-Length first, then counts while reading. */
  @Override
  public byte[] body(int limit) throws IOException {
    if (body != null) {
      return body;
    }
    long declared = request.getContentLengthLong();
    if (declared > limit) {
      throw new RequestBodyTooLargeException(limit, declared);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 256);
    byte[] chunk = new byte[CHUNK];
    long total = 0;
    try (InputStream in = request.getInputStream()) {
      int read;
      while ((read = in.read(chunk, 0, (int) Math.min(CHUNK, limit - total + 1))) != -1) {
        total += read;
        if (total > limit) {
          throw new RequestBodyTooLargeException(limit, -1);
        }
        out.write(chunk, 0, read);
      }
    }
    body = out.toByteArray();
    return body;
  }

  /** The body read by {@link #body(int)}, or an empty one if it was not read. */
  public byte[] bufferedBody() {
    return body == null ? new byte[0] : body;
  }
}
