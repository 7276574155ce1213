package dev.idempo.store.tck;

import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import java.time.Duration;

/** The in-memory store passes the contract, on a fake clock. */
class InMemoryStoreContractTest extends IdempotencyStoreContract {

  @SuppressWarnings("try") // the contract closes the harness in @AfterEach, not a try block
  @Override
  protected StoreHarness createHarness() {
    MutableClock clock = MutableClock.start();
    return new StoreHarness() {
      @Override
      public IdempotencyStore newStore() {
        return InMemoryIdempotencyStore.builder().clock(clock).build();
      }

      @Override
      public void advance(Duration duration) {
        clock.advance(duration);
      }
    };
  }
}
