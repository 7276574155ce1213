package dev.idempo.spring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Real HTTP to the application under test, over a loopback socket. Thread-safe. */
final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** The Authorization every POST carries unless it names its own: keyed requests need a tenant. */
  static final String DEFAULT_CALLER = "Bearer starter-test-caller";

  /** A header name that, given with any value, sends the POST without Authorization. */
  static final String ANONYMOUS = "X-Test-Anonymous";

  private final int port;

  Http(int port) {
    this.port = port;
  }

  /**
   * POSTs a JSON {@code body}; {@code headers} are name, value pairs. Carries {@link
   * #DEFAULT_CALLER} unless {@code headers} name an Authorization (or {@link #ANONYMOUS}).
   */
  HttpResponse<String> post(String path, String body, String... headers) {
    try {
      return CLIENT.send(request(path, body, headers), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  CompletableFuture<HttpResponse<String>> postAsync(String path, String body, String... headers) {
    return CLIENT.sendAsync(request(path, body, headers), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) {
    try {
      return CLIENT.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(Duration.ofSeconds(30))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private HttpRequest request(String path, String body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    boolean authorized = false;
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
      authorized |=
          headers[i].equalsIgnoreCase("Authorization") || headers[i].equalsIgnoreCase(ANONYMOUS);
    }
    if (!authorized) {
      request.header("Authorization", DEFAULT_CALLER);
    }
    return request.build();
  }

  static boolean replayed(HttpResponse<?> response) {
    return response.headers().firstValue("Idempotent-Replayed").map("true"::equals).orElse(false);
  }
}
