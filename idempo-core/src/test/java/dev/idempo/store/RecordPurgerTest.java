package dev.idempo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.Fingerprint;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 item 11: the gateway deleted one batch of 1,000 a minute and the starter at most 100
 * batches a run, so steady traffic above ~17 (or ~167) expired records a second grew the table
 * without bound. One purger now loops while full batches come back.
 */
class RecordPurgerTest {
  private final AtomicLong now = new AtomicLong(1_900_000_000_000L);
  private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
  private final Fingerprint fp = Fingerprint.builder().add("r", "1").build();

  private InMemoryIdempotencyStore storeWith(int completed, Duration retention) {
    InMemoryIdempotencyStore store =
        InMemoryIdempotencyStore.builder().clock(clock).maxRecords(1_000_000).build();
    for (int i = 0; i < completed; i++) {
      byte[] bytes = new byte[StorageKey.LENGTH];
      bytes[0] = (byte) (i >>> 24);
      bytes[1] = (byte) (i >>> 16);
      bytes[2] = (byte) (i >>> 8);
      bytes[3] = (byte) i;
      StorageKey key = StorageKey.of(bytes);
      long fence =
          ((ClaimResult.Acquired) store.claim(key, fp, Duration.ofSeconds(30), retention)).fence();
      store.complete(key, fence, StoredResponse.of(new byte[] {1}));
    }
    return store;
  }

  @Test
  void oneRunDrainsABacklogOfManyBatches() {
    InMemoryIdempotencyStore store = storeWith(25_500, Duration.ofMinutes(1));
    now.addAndGet(Duration.ofMinutes(2).toMillis());
    RecordPurger purger = RecordPurger.builder(List.of(store)).batchSize(1_000).build();

    assertEquals(25_500, purger.purgeNow(), "26 batches in one run, not one batch a run");
    assertEquals(0, store.size());
    assertEquals(0, purger.purgeNow());
  }

  @Test
  void liveRecordsStayAndAFailingStoreDoesNotStopTheOthers() {
    InMemoryIdempotencyStore live = storeWith(3_000, Duration.ofHours(1));
    InMemoryIdempotencyStore expired = storeWith(2_500, Duration.ofMinutes(1));
    OutageOf failing = new OutageOf(InMemoryIdempotencyStore.create());
    now.addAndGet(Duration.ofMinutes(2).toMillis());
    RecordPurger purger =
        RecordPurger.builder(List.of(failing.store, live, expired)).batchSize(100).build();

    assertEquals(2_500, purger.purgeNow());
    assertEquals(3_000, live.size());
    assertEquals(0, expired.size());
  }

  @Test
  void startIsIdempotentAndCloseStopsCleanly() {
    RecordPurger purger =
        RecordPurger.builder(List.of(InMemoryIdempotencyStore.create()))
            .interval(Duration.ofMillis(5))
            .build();
    assertFalse(purger.isRunning());
    assertTrue(purger.start().start().isRunning());

    purger.close();
    purger.close();

    assertFalse(purger.isRunning());
    assertThrows(IllegalStateException.class, purger::start);
  }

  @Test
  void badSettingsAreRefusedByName() {
    RecordPurger.Builder builder = RecordPurger.builder(List.of(InMemoryIdempotencyStore.create()));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> builder.batchSize(0))
            .getMessage()
            .contains("batchSize"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> builder.interval(Duration.ZERO))
            .getMessage()
            .contains("interval"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> builder.interval(Duration.ofNanos(10)))
            .getMessage()
            .contains("interval"));
  }

  /** A real store whose purge always fails, as one whose database is down. */
  private static final class OutageOf {
    final IdempotencyStore store;

    OutageOf(InMemoryIdempotencyStore memory) {
      this.store =
          (IdempotencyStore)
              java.lang.reflect.Proxy.newProxyInstance(
                  IdempotencyStore.class.getClassLoader(),
                  new Class<?>[] {IdempotencyStore.class},
                  (proxy, method, args) -> {
                    if (method.getName().equals("purgeExpired")) {
                      throw new StoreUnavailableException("database is down", null);
                    }
                    if (method.getName().equals("toString")) {
                      return "down store";
                    }
                    return method.invoke(memory, args);
                  });
    }
  }
}
