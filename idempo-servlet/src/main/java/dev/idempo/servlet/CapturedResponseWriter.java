package dev.idempo.servlet;

import dev.idempo.http.CapturedResponse;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Sends a {@link CapturedResponse} (a replay or a problem Idempo answers itself) on a servlet
 * response: status, headers, body. Public for adapters built on the servlet API (the Spring Boot
 * starter). Stateless.
 */
public final class CapturedResponseWriter {
  private CapturedResponseWriter() {}

  public static void write(CapturedResponse answer, HttpServletResponse response)
      throws IOException {
    response.setStatus(answer.status());
    for (Map.Entry<String, List<String>> header : answer.headers().entrySet()) {
      for (String value : header.getValue()) {
        if (header.getKey().equalsIgnoreCase("Content-Type")) {
          response.setContentType(value);
        } else {
          response.addHeader(header.getKey(), value);
        }
      }
    }
    response.setContentLengthLong(answer.bodyLength());
    if (answer.bodyLength() > 0) {
      ServletOutputStream out = response.getOutputStream();
      answer.writeBodyTo(out);
      out.flush();
    }
  }
}
