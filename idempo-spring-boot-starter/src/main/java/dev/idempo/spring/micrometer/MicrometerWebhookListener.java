package dev.idempo.spring.micrometer;

import dev.idempo.webhooks.RefusalReason;
import dev.idempo.webhooks.WebhookListener;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * Counts a webhook receiver's deliveries in Micrometer, each counter tagged {@code endpoint} (the
 * configured path, or empty for a path with no endpoint) and {@code provider}:
 *
 * <ul>
 *   <li>{@value #VERIFIED}: deliveries whose signature and timestamp verified;
 *   <li>{@value #REFUSED}, also tagged {@code reason} (the {@link RefusalReason#slug()}, e.g.
 *       {@code webhook-signature-mismatch}): deliveries refused before the handler ran;
 *   <li>{@value #DUPLICATES}, also tagged {@code state} ({@code processed}: answered 200 at once;
 *       {@code in-flight}: answered 503 while the first delivery runs);
 *   <li>{@value #HANDLED}: events the handler processed;
 *   <li>{@value #HANDLER_FAILURES}: handler exceptions (the event was released for a retry);
 *   <li>{@value #STORE_FAILURES}: deliveries answered 503 because the store failed.
 * </ul>
 *
 * <p>Tags never take a value the sender chooses. Thread-safe.
 */
// Its signatures name Micrometer and idempo-webhooks, an optional dependency (requires static): who
// uses it brings it.
@SuppressWarnings("exports")
public final class MicrometerWebhookListener implements WebhookListener {
  public static final String VERIFIED = "idempo.webhooks.verified";
  public static final String REFUSED = "idempo.webhooks.refused";
  public static final String DUPLICATES = "idempo.webhooks.duplicates";
  public static final String HANDLED = "idempo.webhooks.handled";
  public static final String HANDLER_FAILURES = "idempo.webhooks.handler.failures";
  public static final String STORE_FAILURES = "idempo.webhooks.store.failures";

  private final MeterRegistry registry;

  /**
   * Counts in {@code registry}.
   *
   * @throws NullPointerException if {@code registry} is null
   */
  public MicrometerWebhookListener(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry must not be null");
  }

  @Override
  public void onVerified(String endpoint, String provider) {
    registry.counter(VERIFIED, "endpoint", endpoint, "provider", provider).increment();
  }

  @Override
  public void onRefused(String endpoint, String provider, RefusalReason reason) {
    registry
        .counter(REFUSED, "endpoint", endpoint, "provider", provider, "reason", reason.slug())
        .increment();
  }

  @Override
  public void onDuplicate(String endpoint, String provider, boolean inFlight) {
    registry
        .counter(
            DUPLICATES,
            "endpoint",
            endpoint,
            "provider",
            provider,
            "state",
            inFlight ? "in-flight" : "processed")
        .increment();
  }

  @Override
  public void onHandled(String endpoint, String provider) {
    registry.counter(HANDLED, "endpoint", endpoint, "provider", provider).increment();
  }

  @Override
  public void onHandlerFailure(String endpoint, String provider, Throwable failure) {
    registry.counter(HANDLER_FAILURES, "endpoint", endpoint, "provider", provider).increment();
  }

  @Override
  public void onStoreFailure(String endpoint, String provider, RuntimeException failure) {
    registry.counter(STORE_FAILURES, "endpoint", endpoint, "provider", provider).increment();
  }

  @Override
  public String toString() {
    return "MicrometerWebhookListener[" + registry.getClass().getSimpleName() + "]";
  }
}
