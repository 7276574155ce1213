package dev.idempo.spring.autoconfigure;

import dev.idempo.http.CapturedResponse;
import dev.idempo.webhooks.WebhookReceiver;
import dev.idempo.webhooks.WebhookRequest;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Answers requests to the webhook paths with the {@link WebhookReceiver}: the raw body bytes and
 * headers go in, the receiver's answer comes out; no other filter or controller sees them. Every
 * other request passes on. Thread-safe.
 */
final class WebhookFilter implements Filter {
  private final WebhookEndpoints endpoints;

  WebhookFilter(WebhookEndpoints endpoints) {
    this.endpoints = endpoints;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    Optional<WebhookReceiver> receiver = endpoints.receiver();
    if (receiver.isEmpty()
        || !(request instanceof HttpServletRequest http)
        || !(response instanceof HttpServletResponse out)) {
      chain.doFilter(request, response);
      return;
    }
    String path = http.getRequestURI().substring(http.getContextPath().length());
    if (!receiver.get().paths().contains(path)) {
      chain.doFilter(request, response);
      return;
    }
    int limit = receiver.get().maxBodyBytes();
    byte[] body = readBody(http, limit);
    CapturedResponse answer =
        receiver.get().receive(WebhookRequest.of(http.getMethod(), path, headers(http), body));
    if (body.length > limit) {
      out.setHeader("Connection", "close"); // the rest of the body is never read
    }
    out.setStatus(answer.status());
    answer
        .headers()
        .forEach(
            (name, values) -> {
              if (!name.equalsIgnoreCase("Content-Length")) {
                values.forEach(value -> out.addHeader(name, value));
              }
            });
    out.setContentLength(answer.bodyLength());
    answer.writeBodyTo(out.getOutputStream());
    out.flushBuffer();
  }

  /** The body, or its first {@code limit + 1} bytes when longer (the receiver answers 413). */
  private static byte[] readBody(HttpServletRequest request, int limit) throws IOException {
    long declared = request.getContentLengthLong();
    if (declared > limit) {
      return new byte[limit + 1];
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(declared > 0 ? (int) declared : 512);
    byte[] buffer = new byte[8192];
    InputStream in = request.getInputStream();
    int read;
    while ((read = in.read(buffer)) != -1) {
      bytes.write(buffer, 0, read);
      if (bytes.size() > limit) {
        break;
      }
    }
    return bytes.toByteArray();
  }

  private static Map<String, List<String>> headers(HttpServletRequest request) {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String name : Collections.list(request.getHeaderNames())) {
      List<String> values = headers.computeIfAbsent(name, n -> new ArrayList<>());
      values.addAll(Collections.list(request.getHeaders(name)));
    }
    return headers;
  }
}
