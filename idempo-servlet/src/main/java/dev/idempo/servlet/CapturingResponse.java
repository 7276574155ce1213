package dev.idempo.servlet;

import dev.idempo.http.CapturedResponse;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;

/**
 * The response as the handler sees it on a guarded route. Status, headers and cookies go to the
 * real response, which stays uncommitted because no body byte reaches it; the body is kept in
 * memory, flushes included, up to the capture limit. Beyond the limit the response switches to
 * streaming: what was kept is written to the client and every later byte goes straight through (the
 * record then says {@code response-too-large}). {@code sendError} and {@code sendRedirect} are held
 * back and sent by {@link #deliver()}. Not thread-safe, like any response.
 */
final class CapturingResponse extends HttpServletResponseWrapper {
  private final HttpServletResponse response;
  private final int limit;
  private HeldBody buffer;
  private CaptureStream stream;
  private PrintWriter writer;
  private boolean streaming;
  private long declaredLength = -1;
  private int errorStatus = -1;
  private String errorMessage;

  CapturingResponse(HttpServletResponse response, int limit) {
    super(response);
    this.response = response;
    this.limit = limit;
    this.buffer = new HeldBody(limit);
  }

  /**
   * Pushes what the handler's writer still buffers into the body, which may outgrow the limit and
   * start streaming: call before {@link #isStreaming()} once the handler returned.
   */
  void flushHandlerWriter() {
    flushWriter();
  }

  /** True once the body outgrew the limit (or {@link #passThrough()} ran): the client has it. */
  boolean isStreaming() {
    return streaming;
  }

  /** Sends what is held and lets every later call through: for a handler gone asynchronous. */
  void passThrough() throws IOException {
    if (errorStatus >= 0 && !streaming) {
      streaming = true;
      sendHeldError();
      return;
    }
    flushWriter();
    startStreaming();
  }

  /** Flushes a streamed response's writer after the handler returned. */
  void finishStreaming() throws IOException {
    flushWriter();
    if (writer == null && stream != null) {
      stream.flush();
    }
  }

  /** The handler's answer: status, every header of the real response, and the kept body. */
  CapturedResponse toCapturedResponse() {
    flushWriter();
    CapturedResponse.Builder captured = CapturedResponse.builder(getStatus());
    boolean hasContentType = false;
    for (String name : response.getHeaderNames()) {
      Collection<String> values = response.getHeaders(name);
      for (String value : values) {
        try {
          captured.header(name, value);
        } catch (IllegalArgumentException unstorable) {
          // A header the builder refuses (a control character) is not stored; the client still gets
          // it.
        }
      }
      hasContentType |= name.equalsIgnoreCase("Content-Type");
    }
    if (!hasContentType && response.getContentType() != null) {
      captured.header("Content-Type", response.getContentType());
    }
    if (errorStatus < 0) {
      captured.body(buffer.bytes, 0, buffer.size);
    }
    return captured.build();
  }

  /** Sends the held response to the client: the held error, or the kept body. */
  void deliver() throws IOException {
    flushWriter();
    if (errorStatus >= 0) {
      sendHeldError();
      return;
    }
    response.setContentLengthLong(buffer.size);
    if (buffer.size > 0) {
      ServletOutputStream out = response.getOutputStream();
      out.write(buffer.bytes, 0, buffer.size);
      out.flush();
    }
  }

  private void sendHeldError() throws IOException {
    if (errorMessage == null) {
      response.sendError(errorStatus);
    } else {
      response.sendError(errorStatus, errorMessage);
    }
  }

  private void flushWriter() {
    if (writer != null) {
      writer.flush();
    }
  }

  private void startStreaming() throws IOException {
    if (streaming) {
      return;
    }
    streaming = true;
    if (declaredLength >= 0) {
      response.setContentLengthLong(declaredLength);
    }
    HeldBody held = buffer;
    buffer = null;
    if (held.size > 0) {
      response.getOutputStream().write(held.bytes, 0, held.size);
    }
  }

  // Body.

  @Override
  public ServletOutputStream getOutputStream() {
    if (writer != null) {
      throw new IllegalStateException("getWriter() was already called on this response");
    }
    if (stream == null) {
      stream = new CaptureStream();
    }
    return stream;
  }

  @Override
  public PrintWriter getWriter() {
    if (writer == null) {
      if (stream != null) {
        throw new IllegalStateException("getOutputStream() was already called on this response");
      }
      String encoding = response.getCharacterEncoding();
      Charset charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
      // As a real getWriter() would, fix the charset (and name it in the Content-Type).
      response.setCharacterEncoding(charset.name());
      stream = new CaptureStream();
      writer = new PrintWriter(new OutputStreamWriter(stream, charset));
    }
    return writer;
  }

  @Override
  public void flushBuffer() throws IOException {
    flushWriter();
    if (streaming) {
      response.flushBuffer();
    }
  }

  @Override
  public void resetBuffer() {
    if (streaming) {
      response.resetBuffer();
      return;
    }
    flushWriter();
    buffer.reset();
  }

  @Override
  public void reset() {
    if (streaming) {
      response.reset();
      return;
    }
    flushWriter();
    response.reset();
    buffer.reset();
    declaredLength = -1;
    errorStatus = -1;
    errorMessage = null;
  }

  @Override
  public boolean isCommitted() {
    return errorStatus >= 0 || response.isCommitted();
  }

  @Override
  public void setContentLength(int length) {
    setContentLengthLong(length);
  }

  @Override
  public void setContentLengthLong(long length) {
    if (streaming) {
      response.setContentLengthLong(length);
    } else {
      declaredLength = length;
    }
  }

  // Headers: Content-Length is held like setContentLength; the rest goes to the real response.

  @Override
  public void setHeader(String name, String value) {
    if (isContentLength(name) && !streaming) {
      declaredLength = value == null ? -1 : parseLength(value);
      return;
    }
    super.setHeader(name, value);
  }

  @Override
  public void addHeader(String name, String value) {
    if (isContentLength(name) && !streaming) {
      declaredLength = parseLength(value);
      return;
    }
    super.addHeader(name, value);
  }

  @Override
  public void setIntHeader(String name, int value) {
    if (isContentLength(name) && !streaming) {
      declaredLength = value;
      return;
    }
    super.setIntHeader(name, value);
  }

  @Override
  public void addIntHeader(String name, int value) {
    if (isContentLength(name) && !streaming) {
      declaredLength = value;
      return;
    }
    super.addIntHeader(name, value);
  }

  private static boolean isContentLength(String name) {
    return "Content-Length".equalsIgnoreCase(name);
  }

  private static long parseLength(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  // Status: errors and redirects are held until delivery.

  @Override
  public void sendError(int status) throws IOException {
    sendError(status, null);
  }

  @Override
  public void sendError(int status, String message) throws IOException {
    if (streaming) {
      if (message == null) {
        response.sendError(status);
      } else {
        response.sendError(status, message);
      }
      return;
    }
    if (isCommitted()) {
      throw new IllegalStateException("the response is already committed");
    }
    flushWriter();
    buffer.reset();
    errorStatus = status;
    errorMessage = message;
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    if (streaming) {
      response.sendRedirect(location);
      return;
    }
    if (isCommitted()) {
      throw new IllegalStateException("the response is already committed");
    }
    flushWriter();
    buffer.reset();
    response.setStatus(SC_FOUND);
    response.setHeader("Location", location);
  }

  @Override
  public int getStatus() {
    return errorStatus >= 0 ? errorStatus : response.getStatus();
  }

  /** Keeps the body in memory up to the limit, then streams it to the client. */
  private final class CaptureStream extends ServletOutputStream {
    @Override
    public void write(int b) throws IOException {
      if (!streaming && buffer.size + 1 > limit) {
        startStreaming();
      }
      if (streaming) {
        response.getOutputStream().write(b);
      } else {
        buffer.write(b, declaredLength);
      }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      if (!streaming && (long) buffer.size + length > limit) {
        startStreaming();
      }
      if (streaming) {
        response.getOutputStream().write(bytes, offset, length);
      } else {
        buffer.write(bytes, offset, length, declaredLength);
      }
    }

    @Override
    public void flush() throws IOException {
      if (streaming) {
        response.getOutputStream().flush();
      }
      // Otherwise nothing: the body stays in memory until the handler returns.
    }

    @Override
    public void close() throws IOException {
      if (streaming) {
        response.getOutputStream().close();
      }
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      throw new IllegalStateException(
          "non-blocking writes are not supported on idempotent routes (asynchronous servlets are"
              + " not supported yet)");
    }
  }

  /**
   * The body kept in memory: a plain growable array (a ByteArrayOutputStream would lock on every
   * write and copy the body once more on the way out). Sized by the declared Content-Length when
   * the handler set one, so a body of known length is one allocation.
   */
  private static final class HeldBody {
    private static final byte[] EMPTY = new byte[0];
    private final int limit;
    byte[] bytes = EMPTY;
    int size;

    HeldBody(int limit) {
      this.limit = limit;
    }

    void write(int b, long declaredLength) {
      ensure(1, declaredLength);
      bytes[size++] = (byte) b;
    }

    void write(byte[] source, int offset, int length, long declaredLength) {
      Objects.checkFromIndexSize(offset, length, source.length);
      ensure(length, declaredLength);
      System.arraycopy(source, offset, bytes, size, length);
      size += length;
    }

    void reset() {
      size = 0;
    }

    /**
     * Room for {@code more} bytes: the declared length if it holds them and is within the limit,
     * else double, never more than the limit unless asked for (the caller keeps the total within).
     */
    private void ensure(int more, long declaredLength) {
      int needed = size + more;
      if (needed <= bytes.length) {
        return;
      }
      long capacity = Math.min(Math.max(needed, Math.max(256, 2L * bytes.length)), limit);
      if (declaredLength >= needed && declaredLength <= limit) {
        capacity = declaredLength;
      }
      bytes = Arrays.copyOf(bytes, (int) Math.max(capacity, needed));
    }
  }
}
