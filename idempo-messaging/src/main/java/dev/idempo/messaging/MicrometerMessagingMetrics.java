package dev.idempo.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * Consumer and outbox metrics in Micrometer (needs {@code io.micrometer:micrometer-core} on the
 * class path): register it as the {@link MessagingListener} of consumers and the {@link
 * OutboxListener} of relays, and {@link #bindOutbox} for the lag gauges.
 *
 * <ul>
 *   <li>{@code idempo.messages{consumer, outcome}}: processed, duplicate (skipped), failed, parked;
 *   <li>{@code idempo.outbox.events{outcome}}: published, failed (one per failed attempt), dead;
 *   <li>{@code idempo.outbox.pending} and {@code idempo.outbox.oldest.age} (seconds): the lag, read
 *       from the outbox table at each scrape.
 * </ul>
 *
 * <p>Thread-safe.
 */
// Its signatures name Micrometer, an optional dependency (requires static): who uses it brings it.
@SuppressWarnings("exports")
public final class MicrometerMessagingMetrics implements MessagingListener, OutboxListener {
  private final MeterRegistry registry;

  private MicrometerMessagingMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public static MicrometerMessagingMetrics create(MeterRegistry registry) {
    return new MicrometerMessagingMetrics(
        Objects.requireNonNull(registry, "registry must not be null"));
  }

  /** Registers the pending-count and oldest-age gauges of {@code outbox}. */
  public MicrometerMessagingMetrics bindOutbox(Outbox outbox) {
    Objects.requireNonNull(outbox, "outbox must not be null");
    Gauge.builder("idempo.outbox.pending", outbox, Outbox::pendingCount)
        .description("outbox events waiting to be published")
        .register(registry);
    Gauge.builder(
            "idempo.outbox.oldest.age", outbox, box -> box.oldestPendingAge().toMillis() / 1000.0)
        .baseUnit("seconds")
        .description("age of the oldest outbox event waiting to be published")
        .register(registry);
    return this;
  }

  private void message(String consumer, String outcome) {
    Counter.builder("idempo.messages")
        .tag("consumer", consumer)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  private void outbox(String outcome) {
    Counter.builder("idempo.outbox.events").tag("outcome", outcome).register(registry).increment();
  }

  @Override
  public void onProcessed(String consumer, String messageId) {
    message(consumer, "processed");
  }

  @Override
  public void onDuplicate(String consumer, String messageId) {
    message(consumer, "duplicate");
  }

  @Override
  public void onFailed(String consumer, String messageId, Throwable failure, int failures) {
    message(consumer, "failed");
  }

  @Override
  public void onParked(String consumer, String messageId, String reason) {
    message(consumer, "parked");
  }

  @Override
  public void onPublished(OutboxEvent event) {
    outbox("published");
  }

  @Override
  public void onFailed(OutboxEvent event, Throwable failure, int attempts) {
    outbox("failed");
  }

  @Override
  public void onDead(OutboxEvent event, Throwable failure) {
    outbox("dead");
  }
}
