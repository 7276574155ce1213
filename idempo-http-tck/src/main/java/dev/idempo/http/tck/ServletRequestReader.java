package dev.idempo.http.tck;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a servlet request, body included, as a {@link ContractApplication.Request}: for harnesses
 * that host the contract application in a servlet container. Needs the Jakarta Servlet API, which
 * this module does not bring. Stateless.
 */
public final class ServletRequestReader {
  private ServletRequestReader() {}

  /** The request as the application sees it; reads the whole body. */
  public static ContractApplication.Request read(HttpServletRequest request) throws IOException {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String name : Collections.list(request.getHeaderNames())) {
      headers.put(name, Collections.list(request.getHeaders(name)));
    }
    return new ContractApplication.Request(
        request.getMethod(),
        request.getRequestURI(),
        request.getQueryString(),
        headers,
        request.getInputStream().readAllBytes());
  }
}
