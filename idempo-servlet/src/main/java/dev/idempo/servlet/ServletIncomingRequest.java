package dev.idempo.servlet;

import dev.idempo.http.IncomingRequest;
import dev.idempo.http.RequestBodyTooLargeException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
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
  private static final int FIRST_CHUNK = 512;

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
    if (values == null || !values.hasMoreElements()) {
      return List.of();
    }
    String first = values.nextElement();
    if (!values.hasMoreElements()) {
      return Collections.singletonList(first); // the usual case: no list to grow
    }
    List<String> all = new ArrayList<>(4);
    all.add(first);
    while (values.hasMoreElements()) {
      all.add(values.nextElement());
    }
    return Collections.unmodifiableList(all);
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

  /**
   * Checks the declared Content-Length first, then counts while reading. A declared length is read
   * into an array of that size (one allocation, no copy); a body of unknown length (chunked) into
   * an array that doubles from {@value #FIRST_CHUNK} bytes, so a small body never costs a large
   * buffer.
   */
  @Override
  public byte[] body(int limit) throws IOException {
    if (body != null) {
      return body;
    }
    long declared = request.getContentLengthLong();
    if (declared > limit) {
      throw new RequestBodyTooLargeException(limit, declared);
    }
    try (InputStream in = request.getInputStream()) {
      body = declared >= 0 ? readDeclared(in, (int) declared, limit) : readUnknown(in, limit);
    }
    return body;
  }

  /**
   * Reads a body whose length was declared; a stream that ends early gives the bytes it had, one
   * that runs on is counted against the limit like a body of unknown length.
   */
  private static byte[] readDeclared(InputStream in, int declared, int limit) throws IOException {
    byte[] bytes = new byte[declared];
    int total = 0;
    while (total < declared) {
      int read = in.read(bytes, total, declared - total);
      if (read == -1) {
        return Arrays.copyOf(bytes, total);
      }
      total += read;
    }
    int next = in.read();
    if (next == -1) {
      return bytes;
    }
    // More than declared (a container that does not enforce Content-Length): keep counting.
    byte[] grown =
        Arrays.copyOf(
            bytes, (int) Math.min((long) limit + 1, Math.max(FIRST_CHUNK, 2L * declared + 1)));
    grown[total++] = (byte) next;
    if (total > limit) {
      throw new RequestBodyTooLargeException(limit, -1);
    }
    return readRest(in, grown, total, limit);
  }

  private static byte[] readUnknown(InputStream in, int limit) throws IOException {
    return readRest(in, new byte[FIRST_CHUNK], 0, limit);
  }

  /** Reads to the end into {@code bytes} (growing it), refusing more than {@code limit} bytes. */
  private static byte[] readRest(InputStream in, byte[] bytes, int total, int limit)
      throws IOException {
    while (true) {
      if (total == bytes.length) {
        // One byte past the limit is enough to know the body is too large.
        bytes = Arrays.copyOf(bytes, (int) Math.min((long) limit + 1, 2L * bytes.length));
        if (total == bytes.length) {
          throw new RequestBodyTooLargeException(limit, -1);
        }
      }
      int read = in.read(bytes, total, bytes.length - total);
      if (read == -1) {
        return total == bytes.length ? bytes : Arrays.copyOf(bytes, total);
      }
      total += read;
      if (total > limit) {
        throw new RequestBodyTooLargeException(limit, -1);
      }
    }
  }

  /** The body read by {@link #body(int)}, or an empty one if it was not read. */
  public byte[] bufferedBody() {
    return body == null ? new byte[0] : body;
  }
}
