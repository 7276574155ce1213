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
    assertEquals(
        UpdateResult.APPLIED,
        store.complete(key(n), fence, StoredResponse.of(new byte[] {(byte) n})));
  }

  /**
   * Issue 9 item 3: at capacity the store evicted the COMPLETED record expiring soonest, so one
   * tenant's fresh keys made another tenant's 90-second-old payment run again.
   */
  @Test
  void aFullStoreRefusesNewClaimsInsteadOfForgettingLiveCompletedRecords() {
    InMemoryIdempotencyStore store = store(3);
    completed(store, 1, Duration.ofHours(3));
    completed(store, 2, Duration.ofHours(1));
    completed(store, 3, Duration.ofHours(2));
    now.addAndGet(90_000);

    StoreCapacityExceededException full =
        assertThrows(
            StoreCapacityExceededException.class,
            () -> store.claim(key(4), fp, lease, Duration.ofHours(5)));

    assertTrue(full.getMessage().contains("3"), full.getMessage());
    for (int n = 1; n <= 3; n++) {
      assertInstanceOf(
          ClaimResult.Replay.class,
          store.claim(key(n), fp, lease, Duration.ofHours(1)),
          "record " + n + " is still replayed");
    }
    assertEquals(Optional.empty(), store.find(key(4)), "the refused claim left nothing behind");
    assertEquals(3, store.size());

    now.addAndGet(Duration.ofHours(1).toMillis());
    assertInstanceOf(
        ClaimResult.Acquired.class,
        store.claim(key(4), fp, lease, Duration.ofHours(5)),
        "an expired record makes room");
    assertEquals(Optional.empty(), store.find(key(2)));
  }

  /**
   * Issue 9 item 4: an abandoned IN_PROGRESS record at the head of the in-progress queue kept every
   * later superseded version queued behind it: 300,000 requests, 300,001 queue entries.
   */
  @Test
  void anAbandonedClaimDoesNotMakeSupersededVersionsPileUp() {
    InMemoryIdempotencyStore store = store(1_000);
    store.claim(key(-1), fp, Duration.ofHours(1), Duration.ofDays(1)); // never finished
    for (int i = 0; i < 300_000; i++) {
      StorageKey k = key(i);
      long fence =
          ((ClaimResult.Acquired) store.claim(k, fp, lease, Duration.ofMillis(100))).fence();
      store.renew(k, fence, lease);
      assertEquals(
          UpdateResult.APPLIED, store.complete(k, fence, StoredResponse.of(new byte[] {1})));
      now.incrementAndGet();
      if (i % 50_000 == 0) {
        assertTrue(
            store.indexedVersions() <= store.maxRecords(), "index " + store.indexedVersions());
      }
    }
    assertTrue(store.size() <= 200, "records " + store.size());
    assertEquals(store.size(), store.indexedVersions(), "one indexed version per record");
  }

  /** Issue 9 item 7: a claim whose answer was lost is undone by its token, and only by it. */
  @Test
  void abandonRemovesOnlyTheClaimMadeWithThatToken() {
    InMemoryIdempotencyStore store = store(10);
    ClaimToken lost = ClaimToken.random();
    store.claim(key(1), fp, lease, Duration.ofHours(1), lost);

    assertEquals(UpdateResult.FENCE_LOST, store.abandon(key(1), ClaimToken.random()));
    assertEquals(UpdateResult.APPLIED, store.abandon(key(1), lost));
    assertEquals(Optional.empty(), store.find(key(1)));
    assertEquals(0, store.size());
    assertEquals(UpdateResult.FENCE_LOST, store.abandon(key(1), lost));
  }

  @Test
  void itNeverEvictsInProgressRecordsAndSaysWhenItIsFull() {
    InMemoryIdempotencyStore store = store(2);
    long fence =
        ((ClaimResult.Acquired) store.claim(key(1), fp, lease, Duration.ofHours(1))).fence();
    store.claim(key(2), fp, lease, Duration.ofHours(1));

    StoreCapacityExceededException full =
        assertThrows(
            StoreCapacityExceededException.class,
            () -> store.claim(key(3), fp, lease, Duration.ofHours(1)));
    assertTrue(full.getMessage().contains("2"), full.getMessage());
    assertEquals(RecordState.IN_PROGRESS, store.find(key(1)).orElseThrow().state());
    assertEquals(RecordState.IN_PROGRESS, store.find(key(2)).orElseThrow().state());
    assertEquals(2, store.size());

    store.release(key(1), fence);
    assertInstanceOf(
        ClaimResult.Acquired.class, store.claim(key(3), fp, lease, Duration.ofHours(1)));
    assertEquals(Optional.empty(), store.find(key(1)));
  }

  @Test
  void expiredRecordsMakeRoomBeforeAnyLiveOneIsEvicted() {
    InMemoryIdempotencyStore store = store(2);
    store.claim(key(1), fp, Duration.ofSeconds(1), Duration.ofSeconds(1)); // in progress, expires
    completed(store, 2, Duration.ofHours(1));
    now.addAndGet(2_000);

    assertInstanceOf(
        ClaimResult.Acquired.class, store.claim(key(3), fp, lease, Duration.ofHours(1)));

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
    assertEquals(
        Optional.empty(), store.find(key(0)), "an expired record behaves as absent at once");

    for (int i = 100; i < 105; i++) {
      completed(store, i, Duration.ofHours(1));
    }
    assertEquals(5, store.size(), "each new claim deleted two expired records");
    assertEquals(0, store.purgeExpired(100));
  }

  @Test
  void releaseAndPurgeKeepTheCountExact() {
    InMemoryIdempotencyStore store = store(10);
    long fence =
        ((ClaimResult.Acquired) store.claim(key(1), fp, lease, Duration.ofHours(1))).fence();
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
    Duration retention = Duration.ofMillis(50);
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
                    ClaimResult result;
                    try {
                      result = store.claim(k, fp, lease, retention);
                    } catch (StoreCapacityExceededException full) {
                      now.addAndGet(retention.toMillis());
                      continue;
                    }
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
        assertThrows(
                IllegalArgumentException.class,
                () -> InMemoryIdempotencyStore.builder().maxRecords(0))
            .getMessage()
            .contains("maxRecords"));
    assertThrows(NullPointerException.class, () -> InMemoryIdempotencyStore.builder().clock(null));
  }
}
