package dev.idempo.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** {@link IncomingRequest#of}: a request already in memory. */
final class BufferedIncomingRequest implements IncomingRequest {
  private final String method;
  private final String path;
  private final String query;
  private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  private final byte[] body;

  BufferedIncomingRequest(
      String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
    this.method = Objects.requireNonNull(method, "method must not be null");
    this.path = Objects.requireNonNull(path, "path must not be null");
    this.query = Objects.requireNonNull(query, "query must not be null");
    Objects.requireNonNull(headers, "headers must not be null")
        .forEach(
            (name, values) ->
                this.headers.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values));
    this.body = Objects.requireNonNull(body, "body must not be null").clone();
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String query() {
    return query;
  }

  @Override
  public List<String> headers(String name) {
    return List.copyOf(headers.getOrDefault(name, List.of()));
  }

  @Override
  public byte[] body(int limit) {
    if (body.length > limit) {
      throw new RequestBodyTooLargeException(limit, body.length);
    }
    return body.clone();
  }
}
