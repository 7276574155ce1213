package dev.idempo.gateway;

import dev.idempo.http.IncomingRequest;
import dev.idempo.http.RequestBodyTooLargeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * A Jetty request as {@link dev.idempo.http.HttpIdempotency} reads it. The path and query are raw,
 * as the upstream receives them: {@code /a%2Fb} and {@code /a/b} are different requests. The body,
 * once read, is kept for forwarding. Not thread-safe: one request, one thread.
 */
final class JettyIncomingRequest implements IncomingRequest {
  private final Request request;
  private byte[] body; // null until read

  JettyIncomingRequest(Request request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  /**
   * The raw path as received, so two paths the upstream may tell apart never share a fingerprint.
   */
  @Override
  public String path() {
    String path = request.getHttpURI().getPath();
    return path == null || path.isEmpty() ? "/" : path;
  }

  @Override
  public String query() {
    String query = request.getHttpURI().getQuery();
    return query == null ? "" : query;
  }

  @Override
  public List<String> headers(String name) {
    return request.getHeaders().getValuesList(name);
  }

  @Override
  public byte[] body(int limit) throws IOException {
    if (body != null) {
      if (body.length > limit) {
        throw new RequestBodyTooLargeException(limit, body.length);
      }
      return body.clone();
    }
    long declared = request.getLength();
    if (declared > limit) {
      throw new RequestBodyTooLargeException(limit, declared);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(declared > 0 ? (int) declared : 512);
    byte[] buffer = new byte[8192];
    InputStream in = Content.Source.asInputStream(request);
    int read;
    while ((read = in.read(buffer)) != -1) {
      if (bytes.size() + read > limit) {
        throw new RequestBodyTooLargeException(limit, -1);
      }
      bytes.write(buffer, 0, read);
    }
    body = bytes.toByteArray();
    return body.clone();
  }

  /** The body {@link #body(int)} read, or null if it was not read. */
  byte[] bufferedBody() {
    return body;
  }

  Request jettyRequest() {
    return request;
  }
}
