package dev.idempo.servlet;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.Part;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The request as the handler sees it on a guarded route: the body Idempo read to fingerprint it,
 * served again from memory. Form parameters ({@code application/x-www-form-urlencoded}) are parsed
 * from that copy, query parameters first. Multipart parts cannot be parsed again: {@link
 * #getParts()} says so instead of answering nothing. Public for adapters that run the handler
 * themselves (the Spring Boot starter's transactional routes). Not thread-safe, like any request.
 */
public final class BufferedBodyRequest extends HttpServletRequestWrapper {
  private final byte[] body;
  private boolean streamUsed;
  private boolean readerUsed;
  private Map<String, String[]> parameters;

  public BufferedBodyRequest(HttpServletRequest request, byte[] body) {
    super(request);
    this.body = body;
  }

  @Override
  public ServletInputStream getInputStream() {
    if (readerUsed) {
      throw new IllegalStateException("getReader() was already called on this request");
    }
    streamUsed = true;
    ByteArrayInputStream in = new ByteArrayInputStream(body);
    return new ServletInputStream() {
      @Override
      public int read() {
        return in.read();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        return in.read(b, off, len);
      }

      // The rest straight from the array: InputStream's defaults would copy through 8 KiB buffers.

      @Override
      public byte[] readAllBytes() {
        return in.readAllBytes();
      }

      @Override
      public byte[] readNBytes(int len) throws IOException {
        return in.readNBytes(len);
      }

      @Override
      public int readNBytes(byte[] b, int off, int len) {
        return in.readNBytes(b, off, len);
      }

      @Override
      public long transferTo(OutputStream out) throws IOException {
        return in.transferTo(out);
      }

      @Override
      public long skip(long n) {
        return in.skip(n);
      }

      @Override
      public int available() {
        return in.available();
      }

      @Override
      public boolean isFinished() {
        return in.available() == 0;
      }

      @Override
      public boolean isReady() {
        return true;
      }

      @Override
      public void setReadListener(ReadListener listener) {
        throw new IllegalStateException(
            "non-blocking reads are not supported on idempotent routes: the body is already in"
                + " memory, read it with read()");
      }
    };
  }

  @Override
  public BufferedReader getReader() {
    if (streamUsed) {
      throw new IllegalStateException("getInputStream() was already called on this request");
    }
    readerUsed = true;
    String encoding = getCharacterEncoding();
    Charset charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
    return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset));
  }

  @Override
  public int getContentLength() {
    return body.length;
  }

  @Override
  public long getContentLengthLong() {
    return body.length;
  }

  @Override
  public String getParameter(String name) {
    if (!isForm()) {
      return super.getParameter(name);
    }
    String[] values = parameters().get(name);
    return values == null ? null : values[0];
  }

  @Override
  public Map<String, String[]> getParameterMap() {
    return isForm() ? parameters() : super.getParameterMap();
  }

  @Override
  public Enumeration<String> getParameterNames() {
    return isForm() ? Collections.enumeration(parameters().keySet()) : super.getParameterNames();
  }

  @Override
  public String[] getParameterValues(String name) {
    if (!isForm()) {
      return super.getParameterValues(name);
    }
    String[] values = parameters().get(name);
    return values == null ? null : values.clone();
  }

  @Override
  public Collection<Part> getParts() throws ServletException {
    throw multipartRefused();
  }

  @Override
  public Part getPart(String name) throws ServletException {
    throw multipartRefused();
  }

  private static ServletException multipartRefused() {
    return new ServletException(
        "multipart parts cannot be parsed on an idempotent route: Idempo read the body to"
            + " fingerprint it, so the container cannot parse it again; read it with"
            + " getInputStream() or leave this route unguarded");
  }

  private boolean isForm() {
    String type = getContentType();
    return type != null
        && type.toLowerCase(Locale.ROOT).trim().startsWith("application/x-www-form-urlencoded");
  }

  private Map<String, String[]> parameters() {
    if (parameters == null) {
      Map<String, List<String>> collected = new LinkedHashMap<>();
      String query = getQueryString();
      if (query != null) {
        parse(query, StandardCharsets.UTF_8, collected);
      }
      String encoding = getCharacterEncoding();
      Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
      parse(new String(body, StandardCharsets.ISO_8859_1), charset, collected);
      Map<String, String[]> result = new LinkedHashMap<>();
      collected.forEach((name, values) -> result.put(name, values.toArray(new String[0])));
      parameters = Collections.unmodifiableMap(result);
    }
    return parameters;
  }

  /** Parses {@code a=1&b=2}; the text holds raw bytes as ISO-8859-1 chars or ASCII. */
  private static void parse(String text, Charset charset, Map<String, List<String>> into) {
    for (String pair : text.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      into.computeIfAbsent(decode(name, charset), n -> new ArrayList<>())
          .add(decode(value, charset));
    }
  }

  private static String decode(String raw, Charset charset) {
    // Raw bytes outside ASCII were widened to chars one by one; narrow them back first.
    String bytes = new String(raw.getBytes(StandardCharsets.ISO_8859_1), charset);
    try {
      return URLDecoder.decode(bytes, charset);
    } catch (IllegalArgumentException malformed) {
      return bytes;
    }
  }
}
