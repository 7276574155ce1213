package dev.idempo.store.tck;

import dev.idempo.store.IdempotencyStore;
import java.time.Duration;

/**
 * What the contract suite needs from one store under test: a fresh, empty store, and a way to let
 * time pass on the clock that store trusts.
 *
 * <p>In-process stores inject a {@link MutableClock} and advance it. Stores that trust a server's
 * clock (Redis, SQL) let real time pass; they choose a small {@link #timeUnit()} so the suite stays
 * quick, and the suite expresses every lease and retention in multiples of it.
 */
// The contract closes it after each test in an @AfterEach, never in a try-with-resources.
@SuppressWarnings("try")
public interface StoreHarness extends AutoCloseable {

  /** A store with no records, isolated from every other store this harness made. */
  IdempotencyStore newStore();

  /** Lets {@code duration} pass on the clock the stores trust. */
  void advance(Duration duration);

  /**
   * The unit the suite measures leases and retention in: one second for a fake clock; a few hundred
   * milliseconds where real time must pass. Leases in the suite are 4 units, so a store's lease
   * precision (and round-trip time) must be well under one unit.
   */
  default Duration timeUnit() {
    return Duration.ofSeconds(1);
  }

  /** Threads that race for one key in the concurrency tests; at least 64. */
  default int racingThreads() {
    return 64;
  }

  /** Closes what the harness opened (stores, connections). */
  @Override
  default void close() throws Exception {}
}
