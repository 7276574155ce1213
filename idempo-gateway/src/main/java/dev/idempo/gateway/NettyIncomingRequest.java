package dev.idempo.gateway;

import dev.idempo.http.IncomingRequest;
import dev.idempo.http.RequestBodyTooLargeException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;

/**
 * A request decoded by Netty as {@link dev.idempo.http.HttpIdempotency} reads it. The path and
 * query are raw, as the upstream receives them. The body is read by the event loop before it is
 * asked for: until then {@link #body(int)} throws {@link BodyNotRead}, which tells the caller to
 * read it and ask again. Not thread-safe: one request, handed from thread to thread.
 */
final class NettyIncomingRequest implements IncomingRequest {
  private final HttpRequest request;
  private final String path;
  private final String query;
  private byte[] body; // null until read

  NettyIncomingRequest(HttpRequest request, String path, String query) {
    this.request = request;
    this.path = path;
    this.query = query;
  }

  @Override
  public String method() {
    return request.method().name();
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String query() {
    return query;
  }

  /** The values of header {@code name}; without the list Netty's getAll builds when 0 or 1. */
  @Override
  public List<String> headers(String name) {
    HttpHeaders headers = request.headers();
    String first = headers.get(name);
    if (first == null) {
      return List.of();
    }
    Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(name);
    values.next();
    return values.hasNext() ? headers.getAll(name) : List.of(first);
  }

  /**
   * The body read; never copied (the fingerprint only reads it).
   *
   * @throws RequestBodyTooLargeException if it is longer than {@code limit}, read or declared
   * @throws BodyNotRead if it was not read yet
   */
  @Override
  public byte[] body(int limit) throws IOException {
    if (body == null) {
      long declared = HttpUtil.getContentLength(request, -1L);
      if (declared > limit) {
        throw new RequestBodyTooLargeException(limit, declared);
      }
      throw BodyNotRead.INSTANCE;
    }
    if (body.length > limit) {
      throw new RequestBodyTooLargeException(limit, body.length);
    }
    return body;
  }

  void body(byte[] body) {
    this.body = body;
  }

  /** The body, or null if it was not read. */
  byte[] bufferedBody() {
    return body;
  }

  HttpRequest nettyRequest() {
    return request;
  }

  /** The body is needed and was not read yet: read it, then decide again. */
  static final class BodyNotRead extends IOException {
    private static final long serialVersionUID = 1L;

    // A control-flow signal without a stack trace, raised on every guarded request before its body
    // is read: one shared instance costs nothing to throw.
    @SuppressWarnings("StaticAssignmentOfThrowable")
    static final BodyNotRead INSTANCE = new BodyNotRead();

    private BodyNotRead() {
      super("the body was not read yet", null);
      setStackTrace(new StackTraceElement[0]);
    }
  }
}
