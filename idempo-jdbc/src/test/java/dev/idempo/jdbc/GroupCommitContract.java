package dev.idempo.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.ClaimToken;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit on a real database, many threads at once: operations that share a transaction each
 * keep their own answer, a failing statement fails alone, a failed commit fails the whole batch,
 * and close() answers what was queued. The first batch of a test can be held until a known number
 * of operations queued behind it, so "these ran in one transaction" is a fact, not a likelihood.
 */
abstract class GroupCommitContract {
  static final Fingerprint FINGERPRINT = Fingerprint.of(new byte[] {7});
  static final Duration LEASE = Duration.ofSeconds(30);
  static final Duration RETENTION = Duration.ofMinutes(10);

  private final ExecutorService threads = Executors.newCachedThreadPool();

  /** Runs once in the next leader before it takes its batch: holds it while operations queue. */
  private final AtomicReference<Runnable> beforeNextBatch = new AtomicReference<>();

  private JdbcIdempotencyStore store;

  /** A builder on a fresh, empty database or table prefix. */
  abstract JdbcIdempotencyStore.Builder freshStore();

  /** A connection that is not the store's: it sees only what was committed. */
  abstract Connection independentConnection() throws SQLException;

  /** The records table of the store {@link #freshStore()} made last. */
  abstract String recordsTable();

  /** Makes every insert or update of {@code key}'s row fail with an error the database raises. */
  abstract void failStatementsOn(StorageKey key) throws SQLException;

  /** Makes a transaction that wrote {@code key}'s row fail at its commit. */
  abstract void failCommitsThatWrote(StorageKey key) throws SQLException;

  @AfterEach
  final void stopThreads() {
    threads.shutdownNow();
    if (store != null) {
      store.close();
    }
  }

  JdbcIdempotencyStore open() {
    return open(freshStore(), GroupCommit.DEFAULT_MAX_BATCH);
  }

  private JdbcIdempotencyStore open(int maxBatch) {
    return open(freshStore(), maxBatch);
  }

  /** Builds {@code builder} with group commit and the test's hold on the next batch. */
  JdbcIdempotencyStore open(JdbcIdempotencyStore.Builder builder, int maxBatch) {
    store =
        builder
            .groupCommit(true)
            .groupCommitMaxBatch(maxBatch)
            .beforeBatch(
                () -> {
                  Runnable hold = beforeNextBatch.getAndSet(null);
                  if (hold != null) {
                    hold.run();
                  }
                })
            .build();
    return store;
  }

  /** The next batch starts once {@code operations} are queued, and then carries all of them. */
  private void holdNextBatchFor(int operations) {
    beforeNextBatch.set(() -> awaitQueued(operations));
  }

  /** Runs {@code hold} once, in the next leader, before it takes its batch. */
  void beforeNextBatch(Runnable hold) {
    beforeNextBatch.set(hold);
  }

  void awaitQueued(int operations) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (store.groupCommit().queued() < operations) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "only " + store.groupCommit().queued() + " of " + operations + " operations queued");
      }
      LockSupport.parkNanos(100_000); // polls a condition; no test outcome depends on time
    }
  }

  // ---------------------------------------------------------------------------------- claims

  @Test
  void sixtyFourThreadsClaimingOneKeyInOneTransactionAcquireItOnce() throws Exception {
    JdbcIdempotencyStore store = open();
    StorageKey key = newKey();
    holdNextBatchFor(64);

    List<ClaimResult> results =
        all(64, i -> store.claim(key, FINGERPRINT, LEASE, RETENTION, ClaimToken.random()));

    assertEquals(
        1, results.stream().filter(r -> r instanceof ClaimResult.Acquired).count(), "" + results);
    assertEquals(63, results.stream().filter(r -> r instanceof ClaimResult.InFlight).count());
    assertEquals(1, store.groupCommit().sharedBatches(), "all 64 claims shared one transaction");
    long fence =
        results.stream()
            .filter(r -> r instanceof ClaimResult.Acquired)
            .mapToLong(r -> ((ClaimResult.Acquired) r).fence())
            .findFirst()
            .orElseThrow();
    assertEquals(fence, committedFence(key), "the acquired claim was committed before its answer");
  }

  @Test
  void mixedOperationsAcrossKeysInSharedTransactionsAreEachAnsweredAsAlone() throws Exception {
    JdbcIdempotencyStore store = open();
    int callers = 32;
    holdNextBatchFor(callers);

    List<String> outcomes =
        all(
            callers,
            i -> {
              StorageKey key = newKey();
              ClaimToken token = ClaimToken.random();
              ClaimResult.Acquired claim =
                  assertInstanceOf(
                      ClaimResult.Acquired.class,
                      store.claim(key, FINGERPRINT, LEASE, RETENTION, token));
              long fence = claim.fence();
              assertEquals(fence, committedFence(key), "answered only after its commit");
              assertInstanceOf(
                  ClaimResult.InFlight.class, store.claim(key, FINGERPRINT, LEASE, RETENTION));
              assertInstanceOf(
                  ClaimResult.Mismatch.class,
                  store.claim(key, Fingerprint.of(new byte[] {8}), LEASE, RETENTION));
              assertEquals(UpdateResult.APPLIED, store.renew(key, fence, LEASE.multipliedBy(2)));
              assertEquals(UpdateResult.FENCE_LOST, store.renew(key, fence + 1_000_000, LEASE));
              assertEquals(
                  UpdateResult.APPLIED,
                  store.checkpoint(key, fence, RecoveryPoint.of("step", new byte[] {1})));
              switch (i % 3) {
                case 0 -> {
                  assertEquals(UpdateResult.APPLIED, store.complete(key, fence, response(i)));
                  assertEquals(UpdateResult.FENCE_LOST, store.complete(key, fence, response(-1)));
                  ClaimResult.Replay replay =
                      assertInstanceOf(
                          ClaimResult.Replay.class,
                          store.claim(key, FINGERPRINT, LEASE, RETENTION));
                  assertArrayEquals(response(i).toBytes(), replay.response().toBytes());
                  return "completed";
                }
                case 1 -> {
                  assertEquals(UpdateResult.APPLIED, store.release(key, fence));
                  assertEquals(UpdateResult.FENCE_LOST, store.release(key, fence));
                  ClaimResult.Acquired again =
                      assertInstanceOf(
                          ClaimResult.Acquired.class,
                          store.claim(key, FINGERPRINT, LEASE, RETENTION));
                  assertTrue(again.fence() > fence);
                  assertEquals(
                      UpdateResult.APPLIED, store.complete(key, again.fence(), response(i)));
                  return "released, then completed";
                }
                default -> {
                  assertEquals(UpdateResult.FENCE_LOST, store.abandon(key, ClaimToken.random()));
                  assertEquals(UpdateResult.APPLIED, store.abandon(key, token));
                  assertTrue(store.find(key).isEmpty());
                  return "abandoned";
                }
              }
            });

    assertEquals(callers, outcomes.size());
    assertTrue(store.groupCommit().sharedBatches() >= 1, "the first 32 claims shared a batch");
  }

  @Test
  void aBatchCarriesAtMostMaxBatchOperations() throws Exception {
    JdbcIdempotencyStore store = open(4);
    holdNextBatchFor(12);

    List<ClaimResult> results = all(12, i -> store.claim(newKey(), FINGERPRINT, LEASE, RETENTION));

    assertTrue(results.stream().allMatch(r -> r instanceof ClaimResult.Acquired), "" + results);
    assertEquals(3, store.groupCommit().batches(), "12 queued operations, at most 4 a batch");
    assertEquals(3, store.groupCommit().sharedBatches());
  }

  // -------------------------------------------------------------------------------- failures

  @Test
  void aStatementThatFailsInABatchFailsAloneAndTheOthersCommit() throws Exception {
    JdbcIdempotencyStore store = open();
    StorageKey poisoned = newKey();
    failStatementsOn(poisoned);
    List<StorageKey> keys = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      keys.add(i == 4 ? poisoned : newKey());
    }
    holdNextBatchFor(keys.size());

    List<Object> results =
        all(
            keys.size(),
            i -> {
              try {
                return store.claim(keys.get(i), FINGERPRINT, LEASE, RETENTION);
              } catch (StoreUnavailableException e) {
                return e;
              }
            });

    assertEquals(1, store.groupCommit().sharedBatches(), "the nine claims shared one transaction");
    for (int i = 0; i < keys.size(); i++) {
      if (keys.get(i).equals(poisoned)) {
        StoreUnavailableException failure =
            assertInstanceOf(StoreUnavailableException.class, results.get(i));
        assertInstanceOf(SQLException.class, failure.getCause());
        assertTrue(failure.getCause().getMessage().contains("injected"), failure.getMessage());
        assertEquals(-1, committedFence(poisoned), "the failed claim left nothing");
      } else {
        ClaimResult.Acquired acquired =
            assertInstanceOf(ClaimResult.Acquired.class, results.get(i), "" + results);
        assertEquals(acquired.fence(), committedFence(keys.get(i)));
      }
    }
    // The failure was the statement's, not the store's: the next batch works as usual.
    assertInstanceOf(
        ClaimResult.Acquired.class, store.claim(newKey(), FINGERPRINT, LEASE, RETENTION));
  }

  @Test
  void aFailedCommitFailsEveryOperationOfTheBatchAndWritesNothing() throws Exception {
    JdbcIdempotencyStore store = open();
    StorageKey poisoned = newKey();
    failCommitsThatWrote(poisoned);
    List<StorageKey> keys = List.of(newKey(), poisoned, newKey(), newKey());
    holdNextBatchFor(keys.size());

    List<Object> results =
        all(
            keys.size(),
            i -> {
              try {
                return store.claim(keys.get(i), FINGERPRINT, LEASE, RETENTION);
              } catch (StoreUnavailableException e) {
                return e;
              }
            });

    for (int i = 0; i < keys.size(); i++) {
      StoreUnavailableException failure =
          assertInstanceOf(StoreUnavailableException.class, results.get(i), "" + results);
      assertTrue(failure.getMessage().contains("commit failed"), failure.getMessage());
      assertTrue(failure.getMessage().contains("unknown"), failure.getMessage());
      assertEquals(-1, committedFence(keys.get(i)), "rolled back: nothing of the batch is there");
    }
    assertInstanceOf(
        ClaimResult.Acquired.class, store.claim(keys.get(0), FINGERPRINT, LEASE, RETENTION));
  }

  @Test
  void aCallerInterruptedWhileQueuedLeavesNothingAndTheOthersCarryOn() throws Exception {
    JdbcIdempotencyStore store = open();
    CountDownLatch release = new CountDownLatch(1);
    beforeNextBatch(
        () -> {
          try {
            release.await(); // the leader holds while a follower queues behind it
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    StorageKey leaderKey = newKey();
    StorageKey followerKey = newKey();
    Future<ClaimResult> leader =
        threads.submit(() -> store.claim(leaderKey, FINGERPRINT, LEASE, RETENTION));
    awaitQueued(1);
    AtomicReference<Object> answer = new AtomicReference<>();
    Thread follower =
        new Thread(
            () -> {
              try {
                answer.set(store.claim(followerKey, FINGERPRINT, LEASE, RETENTION));
              } catch (StoreUnavailableException e) {
                answer.set(Thread.currentThread().isInterrupted() ? e : "interrupt cleared");
              }
            });
    follower.start();
    awaitQueued(2);
    follower.interrupt();

    follower.join(30_000);
    StoreUnavailableException failure =
        assertInstanceOf(StoreUnavailableException.class, answer.get(), "" + answer.get());
    assertTrue(failure.getMessage().contains("nothing was written"), failure.getMessage());
    release.countDown();
    assertInstanceOf(ClaimResult.Acquired.class, leader.get(30, TimeUnit.SECONDS));
    assertEquals(-1, committedFence(followerKey), "the interrupted claim never ran");
    assertEquals(0, store.groupCommit().queued());
    assertInstanceOf(
        ClaimResult.Acquired.class, store.claim(followerKey, FINGERPRINT, LEASE, RETENTION));
  }

  @Test
  void closeAnswersTheQueuedOperationsThenRefusesNewOnes() throws Exception {
    JdbcIdempotencyStore store = open();
    int callers = 12;
    List<StorageKey> keys = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      keys.add(newKey());
    }
    CountDownLatch closing = new CountDownLatch(1);
    beforeNextBatch.set(
        () -> {
          awaitQueued(callers);
          try {
            closing.await(); // the test calls close() while all the claims wait in the queue
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    List<Future<ClaimResult>> claims = new ArrayList<>();
    for (StorageKey key : keys) {
      claims.add(threads.submit(() -> store.claim(key, FINGERPRINT, LEASE, RETENTION)));
    }
    awaitQueued(callers);

    Future<?> closed = threads.submit(store::close);
    awaitClosed();
    StoreUnavailableException refused =
        assertThrows(
            StoreUnavailableException.class,
            () -> store.claim(newKey(), FINGERPRINT, LEASE, RETENTION));
    assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
    closing.countDown();
    closed.get(30, TimeUnit.SECONDS);

    for (int i = 0; i < callers; i++) {
      ClaimResult.Acquired acquired =
          assertInstanceOf(ClaimResult.Acquired.class, claims.get(i).get(30, TimeUnit.SECONDS));
      assertEquals(acquired.fence(), committedFence(keys.get(i)));
    }
    assertEquals(0, store.groupCommit().queued());
  }

  private void awaitClosed() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!store.groupCommit().isClosed()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("close() did not start");
      }
      LockSupport.parkNanos(100_000);
    }
  }

  // --------------------------------------------------------------------------------- helpers

  @FunctionalInterface
  interface Caller<T> {
    T call(int index) throws Exception;
  }

  /** Runs {@code callers} calls at once, each on its own thread; their results in order. */
  <T> List<T> all(int callers, Caller<T> call) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<T>> futures = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      int index = i;
      Callable<T> task =
          () -> {
            start.await();
            return call.call(index);
          };
      futures.add(threads.submit(task));
    }
    start.countDown();
    List<T> results = new ArrayList<>();
    for (Future<T> future : futures) {
      try {
        results.add(future.get(60, TimeUnit.SECONDS));
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Error) {
          throw (Error) e.getCause();
        }
        throw e;
      }
    }
    return results;
  }

  /** The fence of {@code key}'s committed row, as another connection sees it; -1 if none. */
  long committedFence(StorageKey key) throws SQLException {
    try (Connection connection = independentConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT fence FROM " + recordsTable() + " WHERE storage_key = ?")) {
      select.setBytes(1, key.toBytes());
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? row.getLong(1) : -1;
      }
    }
  }

  static StorageKey newKey() {
    byte[] bytes = new byte[StorageKey.LENGTH];
    ThreadLocalRandom.current().nextBytes(bytes);
    return StorageKey.of(bytes);
  }

  static StoredResponse response(int i) {
    return StoredResponse.of(("response " + i).getBytes(StandardCharsets.UTF_8));
  }
}
