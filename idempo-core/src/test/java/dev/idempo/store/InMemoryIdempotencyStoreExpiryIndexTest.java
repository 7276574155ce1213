package dev.idempo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.Fingerprint;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The in-memory store's expiry index: time buckets, exact and bounded. */
class InMemoryIdempotencyStoreExpiryIndexTest {
  /** A multiple of every bucket width, so windows start here. */
  private static final long START = 1_900_000_000_000L;

  private final AtomicLong now = new AtomicLong(START);
  private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
  private final Fingerprint fp = Fingerprint.builder().add("r", "1").build();

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

  private static Duration millis(long millis) {
    return Duration.ofMillis(millis);
  }

  /** One bucket holds records out of expiry order; a full store still finds the expired one. */
  @Test
  void aFullStoreFindsAnExpiredRecordBehindALiveOneInTheCurrentBucket() {
    InMemoryIdempotencyStore store = store(2);
    store.claim(key(1), fp, millis(1), millis(12)); // expires at START + 12
    now.incrementAndGet();
    store.claim(key(2), fp, millis(1), millis(4)); // expires at START + 5, same bucket
    assertTrue(ExpiryIndex.BUCKET_MILLIS > 12, "both records share one bucket");
    now.set(START + 6);

    assertInstanceOf(ClaimResult.Acquired.class, store.claim(key(3), fp, millis(1), millis(50)));

    assertTrue(store.find(key(1)).isPresent(), "the live record stays");
    assertEquals(2, store.size());
  }

  @Test
  void purgeExpiredFindsExpiredRecordsBehindLiveOnesInTheCurrentBucket() {
    InMemoryIdempotencyStore store = store(100);
    store.claim(key(1), fp, millis(1), millis(12));
    store.claim(key(2), fp, millis(1), millis(3));
    store.claim(key(3), fp, millis(1), millis(4));
    now.set(START + 5);

    assertEquals(2, store.purgeExpired(10));

    assertEquals(1, store.size());
    assertEquals(1, store.indexedVersions());
    assertTrue(store.find(key(1)).isPresent());
  }

  /** Claims index records at their lease's end, completes move them: no empty buckets pile up. */
  @Test
  void bucketsRecordsMovedOutOfAreDropped() {
    InMemoryIdempotencyStore store = store(1_000);
    for (int i = 0; i < 100_000; i++) {
      StorageKey k = key(i);
      long fence =
          ((ClaimResult.Acquired) store.claim(k, fp, Duration.ofSeconds(30), millis(100))).fence();
      store.complete(k, fence, StoredResponse.of(new byte[] {1}));
      now.addAndGet(3);
      if (i % 1_000 == 0) {
        assertTrue(
            store.expiryBuckets() <= store.size() + ExpiryIndex.RECENT + 1,
            "buckets " + store.expiryBuckets() + " for " + store.size() + " records");
      }
    }
    assertEquals(store.size(), store.indexedVersions());
  }

  /** Buckets that left the cache of recent ones while full are dropped once they empty. */
  @Test
  void bucketsEmptiedAfterLeavingTheCacheAreDropped() {
    InMemoryIdempotencyStore store = store(1_000);
    int claims = 4 * ExpiryIndex.RECENT;
    long[] fences = new long[claims];
    for (int i = 0; i < claims; i++) {
      fences[i] =
          ((ClaimResult.Acquired) store.claim(key(i), fp, Duration.ofSeconds(30), millis(100)))
              .fence();
      now.addAndGet(ExpiryIndex.BUCKET_MILLIS); // one bucket per claim
    }
    assertEquals(claims, store.expiryBuckets());

    for (int i = 0; i < claims; i++) {
      store.complete(key(i), fences[i], StoredResponse.of(new byte[] {1}));
    }

    assertEquals(claims, store.indexedVersions());
    assertTrue(store.expiryBuckets() <= ExpiryIndex.RECENT + 1, "buckets " + store.expiryBuckets());
  }

  /** Every kind of call from several threads on few keys: the index ends exactly the records. */
  @Test
  void concurrentCallsLeaveTheIndexHoldingExactlyTheRecords() throws Exception {
    InMemoryIdempotencyStore store = store(64);
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        SplittableRandom random = new SplittableRandom(t);
        workers.add(pool.submit(() -> work(store, random, start)));
      }
      start.countDown();
      for (Future<?> worker : workers) {
        worker.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(store.size(), store.indexedVersions(), "one indexed entry per record");
    assertTrue(store.size() <= 64, "size " + store.size());

    now.addAndGet(Duration.ofDays(2).toMillis());
    while (store.purgeExpired(100) > 0) {
      // drain
    }
    assertEquals(0, store.size());
    assertEquals(0, store.indexedVersions());
    assertEquals(0, store.expiryBuckets(), "every bucket is in the past and empty");
  }

  private Void work(InMemoryIdempotencyStore store, SplittableRandom random, CountDownLatch start)
      throws InterruptedException {
    start.await();
    for (int i = 0; i < 20_000; i++) {
      StorageKey k = key(random.nextInt(48));
      Duration lease = millis(1 + random.nextInt(40));
      Duration retention = millis(1 + random.nextInt(60));
      ClaimResult result;
      try {
        result = store.claim(k, fp, lease, retention);
      } catch (StoreCapacityExceededException full) {
        now.addAndGet(20);
        continue;
      }
      if (result instanceof ClaimResult.Acquired acquired) {
        long fence = acquired.fence();
        switch (random.nextInt(5)) {
          case 0 -> store.release(k, fence);
          case 1 -> store.renew(k, fence, millis(1 + random.nextInt(80)));
          case 2 -> store.checkpoint(k, fence, RecoveryPoint.of("step", new byte[] {1}));
          default -> store.complete(k, fence, StoredResponse.of(new byte[] {1}));
        }
      }
      if (random.nextInt(50) == 0) {
        store.purgeExpired(1 + random.nextInt(8));
      }
      now.addAndGet(random.nextInt(3));
    }
    return null;
  }
}
