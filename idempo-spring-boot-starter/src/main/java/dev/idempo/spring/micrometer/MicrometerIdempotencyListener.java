package dev.idempo.spring.micrometer;

import dev.idempo.ExecutionOutcome;
import dev.idempo.IdempotencyListener;
import dev.idempo.Scope;
import dev.idempo.StoreCall;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Records Idempo's outcomes and store calls in Micrometer:
 *
 * <ul>
 *   <li>{@value #REQUESTS}, a counter tagged {@code outcome}: {@code executed}, {@code replayed},
 *       {@code released}, {@code in-flight}, {@code mismatch}, {@code outcome-unknown}, {@code
 *       fence-lost} (one per {@link ExecutionOutcome});
 *   <li>{@value #STORE_CALLS}, a timer tagged {@code call} ({@code claim}, {@code complete}, {@code
 *       release}, {@code renew}, {@code checkpoint}) and {@code exception} ({@code none}, or the
 *       simple name of the exception the store threw).
 * </ul>
 *
 * <p>Tenants and keys never become tags. Thread-safe; meters are registered once, up front for the
 * successful cases.
 */
// Its signatures name Micrometer, an optional dependency (requires static): who uses it brings it.
@SuppressWarnings("exports")
public final class MicrometerIdempotencyListener implements IdempotencyListener {
  /** The counter of outcomes. */
  public static final String REQUESTS = "idempo.requests";

  /** The timer of store calls. */
  public static final String STORE_CALLS = "idempo.store.calls";

  private final MeterRegistry registry;
  private final Map<ExecutionOutcome, Counter> outcomes = new EnumMap<>(ExecutionOutcome.class);
  private final Map<StoreCall, Timer> calls = new EnumMap<>(StoreCall.class);

  /**
   * Registers the meters in {@code registry}.
   *
   * @throws NullPointerException if {@code registry} is null
   */
  public MicrometerIdempotencyListener(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry must not be null");
    for (ExecutionOutcome outcome : ExecutionOutcome.values()) {
      outcomes.put(
          outcome,
          Counter.builder(REQUESTS)
              .description("Idempotent requests by outcome")
              .tag("outcome", tagValue(outcome))
              .register(registry));
    }
    for (StoreCall call : StoreCall.values()) {
      calls.put(call, timer(call, "none"));
    }
  }

  /** The {@code outcome} tag of {@code outcome}: its name in lower case, hyphenated. */
  public static String tagValue(ExecutionOutcome outcome) {
    return outcome.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @Override
  public void onOutcome(Scope scope, ExecutionOutcome outcome) {
    outcomes.get(outcome).increment();
  }

  @Override
  public void onStoreCall(StoreCall call, long nanos, Throwable failure) {
    Timer timer =
        failure == null ? calls.get(call) : timer(call, failure.getClass().getSimpleName());
    timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer timer(StoreCall call, String exception) {
    return Timer.builder(STORE_CALLS)
        .description("Calls to the idempotency store")
        .tag("call", call.name().toLowerCase(Locale.ROOT))
        .tag("exception", exception)
        .register(registry);
  }

  @Override
  public String toString() {
    return "MicrometerIdempotencyListener[" + registry.getClass().getSimpleName() + "]";
  }
}
