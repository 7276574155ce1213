package dev.idempo.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Requests to a gateway over real sockets, with the JDK's HTTP/1.1 client. */
final class Requests {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** The Authorization every request carries unless it names its own. */
  static final String DEFAULT_CALLER = "Bearer test-caller";

  /** A header name that, given with any value, sends the request without Authorization. */
  static final String ANONYMOUS = "X-Test-Anonymous";

  private final URI base;

  Requests(URI base) {
    this.base = base;
  }

  /**
   * A POST of {@code body} to {@code path}, with {@code key} as Idempotency-Key unless null, and
   * {@code Authorization: Bearer test-caller} unless {@code headers} name an Authorization (or
   * {@link #ANONYMOUS}).
   */
  HttpResponse<String> post(String path, String key, String body, String... headers)
      throws IOException, InterruptedException {
    return send(request("POST", path, key, body, headers));
  }

  CompletableFuture<HttpResponse<String>> postAsync(
      String path, String key, String body, String... headers) {
    return CLIENT.sendAsync(
        request("POST", path, key, body, headers), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> send(String method, String path, String key, String body, String... headers)
      throws IOException, InterruptedException {
    return send(request(method, path, key, body, headers));
  }

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<byte[]> sendForBytes(HttpRequest request) throws IOException, InterruptedException {
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpRequest request(String method, String path, String key, String body, String... headers) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (key != null) {
      builder.header("Idempotency-Key", key);
    }
    boolean authorized = false;
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
      authorized |=
          headers[i].equalsIgnoreCase("Authorization") || headers[i].equalsIgnoreCase(ANONYMOUS);
    }
    if (!authorized) {
      builder.header("Authorization", DEFAULT_CALLER); // keyed requests need a tenant
    }
    return builder.build();
  }

  HttpRequest.Builder builder(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
  }

  URI base() {
    return base;
  }
}
