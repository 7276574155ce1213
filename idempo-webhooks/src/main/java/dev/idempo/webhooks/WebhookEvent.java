package dev.idempo.webhooks;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A verified delivery as its handler sees it: which endpoint and provider, the event id and its
 * source, the signed timestamp if any, the raw body and the request headers. Immutable and
 * thread-safe.
 */
public final class WebhookEvent {
  private final String endpoint;
  private final String provider;
  private final VerifiedDelivery delivery;
  private final WebhookRequest request;

  WebhookEvent(
      String endpoint, String provider, VerifiedDelivery delivery, WebhookRequest request) {
    this.endpoint = endpoint;
    this.provider = provider;
    this.delivery = delivery;
    this.request = request;
  }

  /** The endpoint's path, e.g. {@code /hooks/stripe}. */
  public String endpoint() {
    return endpoint;
  }

  /** The provider, e.g. {@code stripe}. */
  public String provider() {
    return provider;
  }

  /** The sender's event id, the same on every retry. */
  public String id() {
    return delivery.eventId();
  }

  /** What the event id is unique within besides the endpoint (GitHub's hook id); may be empty. */
  public String source() {
    return delivery.source();
  }

  /** The signed send time, when the scheme signs one. */
  public Optional<Instant> timestamp() {
    return delivery.timestamp();
  }

  /** The raw body (a copy). */
  public byte[] body() {
    return request.body();
  }

  /** The body as UTF-8 text. */
  public String bodyAsString() {
    return new String(request.rawBody(), StandardCharsets.UTF_8);
  }

  /** Every value of request header {@code name}. */
  public List<String> headers(String name) {
    return request.headers(name);
  }

  @Override
  public String toString() {
    return "WebhookEvent[" + provider + " " + delivery.eventId() + " at " + endpoint + "]";
  }
}
