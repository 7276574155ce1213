package dev.idempo.messaging;

import dev.idempo.IdempotencyKey;
import dev.idempo.client.CallOptions;
import dev.idempo.client.IdempotentHttpClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Publishes outbox events as HTTP POSTs through {@code idempo-client}: the destination is the URI,
 * the body the payload, the event's headers become request headers, and the event id is the {@code
 * Idempotency-Key} of every attempt, so the endpoint (or the Idempo gateway in front of it) dedupes
 * a resend after a relay crash. A 2xx answer confirms the event; any other status, or the client
 * giving up, fails the publish and the relay retries. Needs {@code dev.idempo:idempo-client} on the
 * class path.
 *
 * <p>Thread-safe, like the client.
 */
// Its signatures name dev.idempo.client, an optional dependency (requires static): who uses it
// brings it.
@SuppressWarnings("exports")
public final class HttpOutboxPublisher implements OutboxPublisher {
  private static final Set<String> RESTRICTED =
      Set.of("connection", "content-length", "expect", "host", "upgrade", "idempotency-key");

  private final IdempotentHttpClient client;
  private final String contentType;
  private final Duration timeout;

  private HttpOutboxPublisher(IdempotentHttpClient client, String contentType, Duration timeout) {
    this.client = client;
    this.contentType = contentType;
    this.timeout = timeout;
  }

  /**
   * POSTs with {@code Content-Type: contentType}, each attempt timing out after {@code timeout}.
   */
  public static HttpOutboxPublisher create(
      IdempotentHttpClient client, String contentType, Duration timeout) {
    return new HttpOutboxPublisher(
        Objects.requireNonNull(client, "client must not be null"),
        Objects.requireNonNull(contentType, "contentType must not be null"),
        Objects.requireNonNull(timeout, "timeout must not be null"));
  }

  @Override
  public CompletionStage<?> publish(OutboxEvent event) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(event.destination()))
            .timeout(timeout)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(event.payload()));
    event
        .headers()
        .forEach(
            (name, value) -> {
              if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                request.header(name, value);
              }
            });
    return client
        .sendAsync(
            request.build(),
            HttpResponse.BodyHandlers.discarding(),
            CallOptions.key(IdempotencyKey.of(event.id())))
        .thenApply(
            response -> {
              if (response.statusCode() / 100 != 2) {
                throw new java.util.concurrent.CompletionException(
                    new IOException(
                        "POST "
                            + event.destination()
                            + " answered "
                            + response.statusCode()
                            + " for event "
                            + event.id()));
              }
              return response;
            });
  }
}
