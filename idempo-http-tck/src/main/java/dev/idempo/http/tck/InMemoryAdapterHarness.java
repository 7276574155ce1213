package dev.idempo.http.tck;

import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.tck.OutageStore;
import java.util.EnumSet;
import java.util.Set;

/**
 * A harness for a leased-mode adapter on the in-memory store, behind an {@link OutageStore}: it
 * declares {@link Capability#STORE_OUTAGE} and {@link Capability#IN_FLIGHT_CONFLICT}. The adapter
 * under test claims keys in {@link #store}.
 */
public abstract class InMemoryAdapterHarness implements HttpAdapterHarness {
  /** The store to build the adapter on. */
  protected final OutageStore store = new OutageStore(InMemoryIdempotencyStore.create());

  @Override
  public String storeName() {
    return "in-memory";
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.STORE_OUTAGE, Capability.IN_FLIGHT_CONFLICT);
  }

  @Override
  public OutageStore outageStore() {
    return store;
  }
}
