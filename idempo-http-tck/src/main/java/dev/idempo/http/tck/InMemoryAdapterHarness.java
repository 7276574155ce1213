package dev.idempo.http.tck;

import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.tck.MutableClock;
import dev.idempo.store.tck.OutageStore;
import java.util.EnumSet;
import java.util.Set;

/**
 * A harness for a leased-mode adapter on the in-memory store, behind an {@link OutageStore}: it
 * declares {@link Capability#STORE_OUTAGE}, {@link Capability#IN_FLIGHT_CONFLICT}, {@link
 * Capability#WAITING_ROUTE}, {@link Capability#SMALL_STORE} and {@link Capability#STORE_CLOCK}. The
 * adapter under test claims keys in {@link #store}, and those of {@link Route#SMALL_STORE} in
 * {@link #smallStore}. Thread-safe as far as the harness goes: the suite starts and closes it once.
 */
// The contract closes it after the suite in an @AfterAll, never in a try-with-resources.
@SuppressWarnings("try")
public abstract class InMemoryAdapterHarness implements HttpAdapterHarness {
  /** For an adapter's harness. */
  protected InMemoryAdapterHarness() {}

  private final MutableClock clock = MutableClock.start();

  /** The store to build the adapter on; its leases follow {@link #storeClock()}. */
  protected final OutageStore store =
      new OutageStore(InMemoryIdempotencyStore.builder().clock(clock).build());

  /** The store of {@link Route#SMALL_STORE}: {@link HttpContract#SMALL_STORE_RECORDS} records. */
  protected final IdempotencyStore smallStore =
      InMemoryIdempotencyStore.builder().maxRecords(HttpContract.SMALL_STORE_RECORDS).build();

  @Override
  public String storeName() {
    return "in-memory";
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(
        Capability.STORE_OUTAGE,
        Capability.IN_FLIGHT_CONFLICT,
        Capability.WAITING_ROUTE,
        Capability.SMALL_STORE,
        Capability.STORE_CLOCK);
  }

  @Override
  public MutableClock storeClock() {
    return clock;
  }

  @Override
  public OutageStore outageStore() {
    return store;
  }
}
