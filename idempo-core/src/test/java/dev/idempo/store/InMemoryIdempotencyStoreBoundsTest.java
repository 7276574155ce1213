package dev.idempo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.Fingerprint;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InMemoryIdempotencyStoreBoundsTest {
  private final AtomicLong now = new AtomicLong(1_900_000_000_000L);
  private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
  private final Fingerprint fp = Fingerprint.builder().add("r", "1").build();
  private final Duration lease = Duration.ofSeconds(30);

  private InMemoryIdempotencyStore store(int max) {
    return InMemoryIdempotencyStore.builder().clock(clock).maxRecords(max).build();
  }

  private static StorageKey key(int n) {
    byte[] bytes = new byte[StorageKey.LENGTH];
    bytes[0] = (byte) (n >>> 24);
    bytes[1] = (byte) (n >>> 16);
    bytes[2] = (byte) (n >>> 8);
    bytes[3] = (byte) n;
    return StorageKey.of(bytes);
  }

  private void completed(InMemoryIdempotencyStore store, int n, Duration retention) {
    long fence = ((ClaimResult.Acquired) store.claim(key(n), fp, lease, retention)).fence();
    assertEquals(UpdateResult.APPLIED, store.complete(key(n), fence, StoredResponse.of(new byte[] {(byte) n})));
  }

  @Test
  void whenFullItEvictsTheCompletedRecordThatExpiresSoonest() {
    InMemoryIdempotencyStore store = store(3);
    completed(store, 1, Duration.ofHours(3));
    completed(store, 2, Duration.ofHours(1));
    completed(store, 3, Duration.ofHours(2));

    assertInstanceOf(ClaimResult.Acquired.class, store.claim(key(4), fp, lease, Duration.ofHours(5)));

    assertEquals(Optional.empty(), store.find(key(2)), "the soonest-expiring record goes first");
    assertTrue(store.find(key(1)).isPresent());
    assertTrue(store.find(key(3)).isPresent());
    assertEquals(3, store.size());
  }

  @Test
  void itNeverEvictsInProgressRecordsAndSaysWhenItIsFull() {
    InMemoryIdempotencyStore store = store(2);
    long fence = ((ClaimResult.Acquired) store.claim(key(1), fp, lease, Duration.ofHours(1))).fence();
    store.claim(key(2), fp, lease, Duration.ofHours(1));

    StoreCapacityExceededException full =
        assertThrows(StoreCapacityExceededException.class, () -> store.claim(key(3), fp, lease, Duration.ofHours(1)));
    assertTrue(full.getMessage().contains("2"), full.getMessage());
    assertEquals(RecordState.IN_PROGRESS, store.find(key(1)).orElseThrow().state());
    assertEquals(RecordState.IN_PROGRESS, store.find(key(2)).orElseThrow().state());
    assertEquals(2, store.size());

    store.complete(key(1), fence, StoredResponse.of(new byte[0]));
    assertInstanceOf(ClaimResult.Acquired.class, store.claim(key(3), fp, lease, Duration.ofHours(1)));
    assertEquals(Optional.empty(), store.find(key(1)));
  }

  @Test
  void expiredRecordsMakeRoomBeforeAnyLiveOneIsEvicted() {
    InMemoryIdempotencyStore store = store(2);
    store.claim(key(1), fp, Duration.ofSeconds(1), Duration.ofSeconds(1)); // in progress, expires
    completed(store, 2, Duration.ofHours(1));
    now.addAndGet(2_000);

    assertInstanceOf(ClaimResult.Acquired.class, store.claim(key(3), fp, lease, Duration.ofHours(1)));

    assertTrue(store.find(key(2)).isPresent(), "the live completed record stays");
    assertEquals(2, store.size());
  }

  @Test
  void expiryNeedsNoBackgroundThread() {
    InMemoryIdempotencyStore store = store(100);
    for (int i = 0; i < 10; i++) {
      completed(store, i, Duration.ofSeconds(1));
    }
    now.addAndGet(1_000);
    assertEquals(Optional.empty(), store.find(key(0)), "an expired record behaves as absent at once");

    for (int i = 100; i < 105; i++) {
      completed(store, i, Duration.ofHours(1));
    }
    assertEquals(5, store.size(), "each new claim deleted two expired records");
    assertEquals(0, store.purgeExpired(100));
  }

  @Test
  void releaseAndPurgeKeepTheCountExact() {
    InMemoryIdempotencyStore store = store(10);
    long fence = ((ClaimResult.Acquired) store.claim(key(1), fp, lease, Duration.ofHours(1))).fence();
    completed(store, 2, Duration.ofSeconds(1));
    assertEquals(2, store.size());

    store.release(key(1), fence);
    now.addAndGet(5_000);
    assertEquals(1, store.purgeExpired(10));

    assertEquals(0, store.size());
  }

  @Test
  void concurrentClaimsNeverOverfillTheStore() throws Exception {
    InMemoryIdempotencyStore store = store(100);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        workers.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 2_000; i++) {
                    StorageKey k = key(thread * 1_000_000 + i);
                    ClaimResult result = store.claim(k, fp, lease, Duration.ofHours(1));
                    long fence = ((ClaimResult.Acquired) result).fence();
                    store.complete(k, fence, StoredResponse.of(new byte[] {1}));
                    assertTrue(store.size() <= 100 + 8, "size " + store.size());
                  }
                }));
      }
      for (Future<?> worker : workers) {
        worker.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(store.size() <= 100, "size " + store.size());
  }

  @Test
  void builderRejectsBadBounds() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> InMemoryIdempotencyStore.builder().maxRecords(0))
            .getMessage()
            .contains("maxRecords"));
    assertThrows(NullPointerException.class, () -> InMemoryIdempotencyStore.builder().clock(null));
  }
}
