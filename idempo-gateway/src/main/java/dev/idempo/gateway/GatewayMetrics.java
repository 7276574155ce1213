package dev.idempo.gateway;

import dev.idempo.ExecutionOutcome;
import dev.idempo.IdempotencyListener;
import dev.idempo.Scope;
import dev.idempo.StoreCall;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's metrics, in Prometheus text format via Micrometer:
 *
 * <ul>
 *   <li>{@code idempo_gateway_requests_total{outcome}}: every proxied request, counted once when it
 *       ends, by {@link RequestOutcome};
 *   <li>{@code idempo_gateway_requests_in_flight}: requests being handled now;
 *   <li>{@code idempo_store_calls_seconds{call,result}}: the latency of every store call (claim,
 *       complete, release, renew), {@code result} being {@code success} or {@code failure};
 *   <li>{@code idempo_executions_total{outcome}}: the core executor's outcomes, as its {@link
 *       IdempotencyListener} reports them (this class is that listener).
 * </ul>
 *
 * <p>Thread-safe.
 */
final class GatewayMetrics implements IdempotencyListener {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<RequestOutcome, Counter> requests = new EnumMap<>(RequestOutcome.class);
  private final Map<ExecutionOutcome, Counter> executions = new EnumMap<>(ExecutionOutcome.class);
  private final Map<StoreCall, Timer> storeCalls = new EnumMap<>(StoreCall.class);
  private final Map<StoreCall, Timer> failedStoreCalls = new EnumMap<>(StoreCall.class);
  private final AtomicInteger inFlight = new AtomicInteger();

  GatewayMetrics() {
    for (RequestOutcome outcome : RequestOutcome.values()) {
      requests.put(
          outcome,
          Counter.builder("idempo.gateway.requests")
              .description("Requests through the gateway, by how they ended")
              .tag("outcome", outcome.tag())
              .register(registry));
    }
    for (ExecutionOutcome outcome : ExecutionOutcome.values()) {
      executions.put(
          outcome,
          Counter.builder("idempo.executions")
              .description("Outcomes of the idempotency executor")
              .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
              .register(registry));
    }
    for (StoreCall call : StoreCall.values()) {
      storeCalls.put(call, storeTimer(call, "success"));
      failedStoreCalls.put(call, storeTimer(call, "failure"));
    }
    Gauge.builder("idempo.gateway.requests.in.flight", inFlight, AtomicInteger::get)
        .description("Requests the gateway is handling now")
        .register(registry);
  }

  private Timer storeTimer(StoreCall call, String result) {
    return Timer.builder("idempo.store.calls")
        .description("Latency of idempotency store calls")
        .tag("call", call.name().toLowerCase(Locale.ROOT))
        .tag("result", result)
        .publishPercentileHistogram()
        .register(registry);
  }

  void requestStarted() {
    inFlight.incrementAndGet();
  }

  void requestEnded(RequestOutcome outcome) {
    inFlight.decrementAndGet();
    requests.get(outcome).increment();
  }

  /** How many requests ended with {@code outcome} so far. */
  long count(RequestOutcome outcome) {
    return (long) requests.get(outcome).count();
  }

  int inFlight() {
    return inFlight.get();
  }

  @Override
  public void onOutcome(Scope scope, ExecutionOutcome outcome) {
    executions.get(outcome).increment();
  }

  @Override
  public void onStoreCall(StoreCall call, long nanos, Throwable failure) {
    (failure == null ? storeCalls : failedStoreCalls).get(call).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The registry, for the webhook mode's counters ({@link WebhookMetrics}). */
  io.micrometer.core.instrument.MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every metric. */
  String scrape() {
    return registry.scrape();
  }

  void close() {
    registry.close();
  }
}
