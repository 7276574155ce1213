package dev.idempo.gateway;

import dev.idempo.webhooks.RefusalReason;
import dev.idempo.webhooks.WebhookListener;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The {@code --webhook} mode's counters, next to the gateway's other metrics on {@code /metrics}:
 * {@code idempo_gateway_webhooks_total{endpoint,provider,result}}, where {@code result} is {@code
 * verified}, {@code forwarded} (the upstream took a new event), {@code duplicate}, {@code
 * in_flight}, {@code upstream_failed} (released for the sender's retry), {@code store_failed} or
 * {@code refused}; a refusal also carries its {@code reason} (e.g. {@code
 * webhook-signature-mismatch}), every other result {@code reason=""}. Tags are the configured path
 * and provider, never a value a sender chooses. Thread-safe.
 */
final class WebhookMetrics implements WebhookListener {
  private static final String NAME = "idempo.gateway.webhooks";

  private final MeterRegistry registry;

  WebhookMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  private void count(String endpoint, String provider, String result, String reason) {
    registry
        .counter(
            NAME, "endpoint", endpoint, "provider", provider, "result", result, "reason", reason)
        .increment();
  }

  @Override
  public void onVerified(String endpoint, String provider) {
    count(endpoint, provider, "verified", "");
  }

  @Override
  public void onRefused(String endpoint, String provider, RefusalReason reason) {
    count(endpoint, provider, "refused", reason.slug());
  }

  @Override
  public void onDuplicate(String endpoint, String provider, boolean inFlight) {
    count(endpoint, provider, inFlight ? "in_flight" : "duplicate", "");
  }

  @Override
  public void onHandled(String endpoint, String provider) {
    count(endpoint, provider, "forwarded", "");
  }

  @Override
  public void onHandlerFailure(String endpoint, String provider, Throwable failure) {
    count(endpoint, provider, "upstream_failed", "");
  }

  @Override
  public void onStoreFailure(String endpoint, String provider, RuntimeException failure) {
    count(endpoint, provider, "store_failed", "");
  }
}
