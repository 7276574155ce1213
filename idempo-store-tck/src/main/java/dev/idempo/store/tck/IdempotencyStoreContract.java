package dev.idempo.store.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.ClaimToken;
import dev.idempo.store.IdempotencyRecord;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.RecordState;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link IdempotencyStore} passes ({@code docs/design.md}, "The record and its
 * state machine" and "The stores"). A store's test extends this class and supplies a {@link
 * StoreHarness}; every test here then runs against that store, unchanged.
 *
 * <p>Leases and retention are multiples of {@link StoreHarness#timeUnit()}: the lease is 4 units,
 * retention 20 units.
 */
public abstract class IdempotencyStoreContract {
  /** For a store's contract test. */
  protected IdempotencyStoreContract() {}

  private StoreHarness harness;
  private final List<IdempotencyStore> stores = new ArrayList<>();
  protected IdempotencyStore store;
  protected Duration unit;
  protected Duration lease;
  protected Duration retention;

  /** The harness for the store under test; called before each test, closed after it. */
  protected abstract StoreHarness createHarness() throws Exception;

  @BeforeEach
  final void openStore() throws Exception {
    harness = createHarness();
    unit = harness.timeUnit();
    lease = unit.multipliedBy(4);
    retention = unit.multipliedBy(20);
    store = newStore();
  }

  @AfterEach
  final void closeStores() throws Exception {
    for (IdempotencyStore opened : stores) {
      opened.close();
    }
    harness.close();
  }

  /** Another empty store from the harness, closed after the test. */
  protected IdempotencyStore newStore() {
    IdempotencyStore opened = harness.newStore();
    stores.add(opened);
    return opened;
  }

  protected void advance(Duration duration) {
    harness.advance(duration);
  }

  // ---------------------------------------------------------------------------------- claim

  @Test
  void claimOfAnAbsentKeyAcquiresAFreshPositiveFence() {
    ClaimResult result = store.claim(newKey(), fingerprint("a"), lease, retention);

    ClaimResult.Acquired acquired = assertInstanceOf(ClaimResult.Acquired.class, result);
    assertTrue(acquired.fence() > 0, "fence must be positive: " + acquired.fence());
    assertFalse(acquired.takeover());
    assertEquals(Optional.empty(), acquired.recoveryPoint());
  }

  @Test
  void claimWhileInProgressWithTheSameFingerprintIsInFlightForTheRestOfTheLease() {
    StorageKey key = newKey();
    acquire(key, "a");

    ClaimResult.InFlight inFlight =
        assertInstanceOf(
            ClaimResult.InFlight.class, store.claim(key, fingerprint("a"), lease, retention));

    assertTrue(inFlight.retryAfter().compareTo(lease) <= 0, "retryAfter " + inFlight.retryAfter());
    assertTrue(
        inFlight.retryAfter().compareTo(unit.multipliedBy(2)) > 0,
        "retryAfter should be about the remaining lease, was " + inFlight.retryAfter());
  }

  @Test
  void claimWhileInProgressWithAnotherFingerprintIsAMismatch() {
    StorageKey key = newKey();
    acquire(key, "a");

    assertInstanceOf(
        ClaimResult.Mismatch.class, store.claim(key, fingerprint("b"), lease, retention));
  }

  @Test
  void claimOfACompletedKeyWithAnotherFingerprintIsAMismatch() {
    StorageKey key = newKey();
    long fence = acquire(key, "a");
    assertEquals(UpdateResult.APPLIED, store.complete(key, fence, response("first")));

    assertInstanceOf(
        ClaimResult.Mismatch.class, store.claim(key, fingerprint("b"), lease, retention));
  }

  @Test
  void claimAfterTheLeaseRanOutWithAnotherFingerprintIsStillAMismatch() {
    StorageKey key = newKey();
    acquire(key, "a");
    advance(lease.plus(unit));

    assertInstanceOf(
        ClaimResult.Mismatch.class, store.claim(key, fingerprint("b"), lease, retention));
  }

  @Test
  void keysAreIndependent() {
    StorageKey first = newKey();
    StorageKey second = newKey();
    acquire(first, "a");

    assertInstanceOf(
        ClaimResult.Acquired.class, store.claim(second, fingerprint("a"), lease, retention));
  }

  // ---------------------------------------------------------------------------- concurrency

  @Test
  void manyThreadsClaimingOneKeyAcquireItExactlyOnce() throws Exception {
    int threads = Math.max(64, harness.racingThreads());
    for (int round = 0; round < 5; round++) {
      StorageKey key = newKey();
      List<ClaimResult> results =
          race(threads, () -> store.claim(key, fingerprint("same"), lease, retention));

      long acquired = results.stream().filter(r -> r instanceof ClaimResult.Acquired).count();
      long inFlight = results.stream().filter(r -> r instanceof ClaimResult.InFlight).count();
      assertEquals(1, acquired, "round " + round + ": exactly one claim may acquire: " + results);
      assertEquals(threads - 1, inFlight, "round " + round + ": every other claim is in flight");
    }
  }

  @Test
  void racingClaimersSeeOneWinnerWhoseResponseEveryoneThenReplays() throws Exception {
    int threads = Math.max(64, harness.racingThreads());
    StorageKey key = newKey();
    List<String> winners =
        race(
            threads,
            () -> {
              ClaimResult result = store.claim(key, fingerprint("same"), lease, retention);
              if (result instanceof ClaimResult.Acquired acquired) {
                String me = Thread.currentThread().getName();
                long fence = acquired.fence();
                assertEquals(UpdateResult.APPLIED, store.complete(key, fence, response(me)));
                return me;
              }
              return null;
            });
    List<String> actual = new ArrayList<>(winners);
    actual.removeIf(w -> w == null);
    assertEquals(1, actual.size(), "exactly one winner: " + actual);

    ClaimResult.Replay replay =
        assertInstanceOf(
            ClaimResult.Replay.class, store.claim(key, fingerprint("same"), lease, retention));
    assertEquals(actual.get(0), text(replay.response()));
  }

  @Test
  void manyThreadsClaimingAfterTheLeaseRanOutTakeOverExactlyOnce() throws Exception {
    StorageKey key = newKey();
    long first = acquire(key, "same");
    advance(lease.plus(unit));

    List<ClaimResult> results =
        race(
            Math.max(64, harness.racingThreads()),
            () -> store.claim(key, fingerprint("same"), lease, retention));

    List<ClaimResult.Acquired> takeovers = new ArrayList<>();
    for (ClaimResult result : results) {
      if (result instanceof ClaimResult.Acquired acquired) {
        takeovers.add(acquired);
      }
    }
    assertEquals(1, takeovers.size(), "exactly one takeover: " + results);
    assertTrue(takeovers.get(0).takeover());
    assertTrue(takeovers.get(0).fence() > first);
  }

  // ------------------------------------------------------------------------ complete/replay

  @Test
  void replayReturnsTheStoredResponseByteForByte() {
    Random random = new Random(seed());
    List<byte[]> bodies = new ArrayList<>();
    bodies.add(new byte[0]);
    byte[] everyByte = new byte[256];
    for (int i = 0; i < everyByte.length; i++) {
      everyByte[i] = (byte) i;
    }
    bodies.add(everyByte);
    byte[] large = new byte[256 * 1024];
    random.nextBytes(large);
    bodies.add(large);
    bodies.add(
        "{\"charge\":\"ch_1\",\"amount\":1000,\"note\":\"café ☕\"}"
            .getBytes(StandardCharsets.UTF_8));

    for (byte[] body : bodies) {
      StorageKey key = newKey();
      long fence = acquire(key, "a");
      assertEquals(UpdateResult.APPLIED, store.complete(key, fence, StoredResponse.of(body)));

      for (int replay = 0; replay < 2; replay++) {
        ClaimResult.Replay result =
            assertInstanceOf(
                ClaimResult.Replay.class, store.claim(key, fingerprint("a"), lease, retention));
        assertArrayEquals(body, result.response().toBytes(), "body of " + body.length + " bytes");
      }
    }
  }

  @Test
  void completeAfterTheLeaseRanOutButBeforeAnyTakeoverStillApplies() {
    StorageKey key = newKey();
    long fence = acquire(key, "a");
    advance(lease.plus(unit));

    assertEquals(UpdateResult.APPLIED, store.complete(key, fence, response("late")));
    assertEquals("late", replayText(key, "a"));
  }

  @Test
  void aSecondCompleteWithTheSameFenceIsFenceLostAndKeepsTheFirstResponse() {
    StorageKey key = newKey();
    long fence = acquire(key, "a");
    assertEquals(UpdateResult.APPLIED, store.complete(key, fence, response("first")));

    assertEquals(UpdateResult.FENCE_LOST, store.complete(key, fence, response("second")));
    assertEquals(UpdateResult.FENCE_LOST, store.release(key, fence));
    assertEquals(UpdateResult.FENCE_LOST, store.renew(key, fence, lease));
    assertEquals("first", replayText(key, "a"));
  }

  @Test
  void updatesOfAnAbsentKeyAreFenceLost() {
    StorageKey key = newKey();

    assertEquals(UpdateResult.FENCE_LOST, store.complete(key, 1, response("x")));
    assertEquals(UpdateResult.FENCE_LOST, store.release(key, 1));
    assertEquals(UpdateResult.FENCE_LOST, store.renew(key, 1, lease));
    assertEquals(
        UpdateResult.FENCE_LOST, store.checkpoint(key, 1, RecoveryPoint.of("step", new byte[0])));
    assertEquals(Optional.empty(), store.find(key));
  }

  // --------------------------------------------------------------------------------- fencing

  @Test
  void aStaleFenceChangesNothing() {
    StorageKey key = newKey();
    long fence = acquire(key, "a");
    long stale = fence - 1 > 0 ? fence - 1 : fence + 1000;

    assertEquals(UpdateResult.FENCE_LOST, store.complete(key, stale, response("stale")));
    assertEquals(UpdateResult.FENCE_LOST, store.release(key, stale));
    assertEquals(UpdateResult.FENCE_LOST, store.renew(key, stale, lease));
    assertEquals(
        UpdateResult.FENCE_LOST, store.checkpoint(key, stale, RecoveryPoint.of("s", new byte[1])));

    IdempotencyRecord record = store.find(key).orElseThrow();
    assertEquals(RecordState.IN_PROGRESS, record.state());
    assertEquals(fence, record.fence());
    assertEquals(Optional.empty(), record.recoveryPoint());
    assertInstanceOf(
        ClaimResult.InFlight.class, store.claim(key, fingerprint("a"), lease, retention));
    assertEquals(UpdateResult.APPLIED, store.complete(key, fence, response("holder")));
    assertEquals("holder", replayText(key, "a"));
  }

  @Test
  void takeoverAfterTheLeaseGivesAHigherFenceAndTheOldHolderLosesIt() {
    StorageKey key = newKey();
    long old = acquire(key, "a");
    advance(lease.plus(unit));

    ClaimResult.Acquired takeover =
        assertInstanceOf(
            ClaimResult.Acquired.class, store.claim(key, fingerprint("a"), lease, retention));
    assertTrue(takeover.takeover());
    assertTrue(takeover.fence() > old, takeover.fence() + " must exceed " + old);

    assertEquals(UpdateResult.FENCE_LOST, store.complete(key, old, response("old")));
    assertEquals(UpdateResult.FENCE_LOST, store.renew(key, old, lease));
    assertEquals(UpdateResult.FENCE_LOST, store.release(key, old));
    assertInstanceOf(
        ClaimResult.InFlight.class, store.claim(key, fingerprint("a"), lease, retention));

    assertEquals(UpdateResult.APPLIED, store.complete(key, takeover.fence(), response("new")));
    assertEquals("new", replayText(key, "a"));
  }

  @Test
  void renewKeepsTheClaimAliveBeyondItsFirstLease() {
    // Judged by the store's own clock (the lease ends it reports), never by a margin of real
    // time: on a loaded machine, where more time passes than advance() asked for, it cannot flake.
    StorageKey key = newKey();
    long fence = acquire(key, "a");
    java.time.Instant firstLeaseEnd = store.find(key).orElseThrow().leaseExpiresAt();
    advance(unit.multipliedBy(3));
    assertEquals(UpdateResult.APPLIED, store.renew(key, fence, lease));
    java.time.Instant renewedLeaseEnd = store.find(key).orElseThrow().leaseExpiresAt();
    assertFalse(
        renewedLeaseEnd.isBefore(firstLeaseEnd.plus(unit.multipliedBy(3)).minusMillis(1)),
        "a renewal starts a new lease from now: " + firstLeaseEnd + " then " + renewedLeaseEnd);
    advance(unit.multipliedBy(2)); // the first lease is over, by any clock

    ClaimResult duringRenewedLease = store.claim(key, fingerprint("a"), lease, retention);
    if (duringRenewedLease instanceof ClaimResult.Acquired early) {
      // Only where the renewed lease was over too: the taker's lease began at the store's now.
      java.time.Instant takenAt = store.find(key).orElseThrow().leaseExpiresAt().minus(lease);
      assertTrue(early.takeover());
      assertFalse(
          takenAt.plusMillis(1).isBefore(renewedLeaseEnd),
          "taken over at " + takenAt + ", inside the renewed lease ending " + renewedLeaseEnd);
      return;
    }
    assertInstanceOf(ClaimResult.InFlight.class, duringRenewedLease);

    advance(lease); // the renewed lease is over, by any clock
    ClaimResult.Acquired takeover =
        assertInstanceOf(
            ClaimResult.Acquired.class, store.claim(key, fingerprint("a"), lease, retention));
    assertTrue(takeover.takeover());
  }

  @Test
  void releaseLetsTheNextClaimAcquireWithAHigherFence() {
    StorageKey key = newKey();
    long first = acquire(key, "a");
    assertEquals(UpdateResult.APPLIED, store.release(key, first));
    assertEquals(Optional.empty(), store.find(key));

    ClaimResult.Acquired next =
        assertInstanceOf(
            ClaimResult.Acquired.class, store.claim(key, fingerprint("b"), lease, retention));
    assertFalse(next.takeover());
    assertTrue(
        next.fence() > first, "fences grow across release: " + next.fence() + " after " + first);
    assertEquals(UpdateResult.FENCE_LOST, store.complete(key, first, response("stale")));
    assertEquals(UpdateResult.APPLIED, store.complete(key, next.fence(), response("fresh")));
  }

  @Test
  void fencesGrowAcrossRetentionExpiry() {
    StorageKey key = newKey();
    long first = acquire(key, "a");
    advance(retention.plus(unit));

    ClaimResult.Acquired next =
        assertInstanceOf(
            ClaimResult.Acquired.class, store.claim(key, fingerprint("a"), lease, retention));
    assertFalse(next.takeover(), "an expired record behaves as absent");
    assertTrue(next.fence() > first);
    assertEquals(UpdateResult.FENCE_LOST, store.complete(key, first, response("stale")));
  }

  // ------------------------------------------------------------------------------- abandon

  @Test
  void abandonRemovesTheInProgressRecordItsClaimMadeSoARetryRunsFresh() {
    StorageKey key = newKey();
    ClaimToken token = ClaimToken.random();
    long fence = claimFence(store.claim(key, fingerprint("a"), lease, retention, token));
    assertEquals(UpdateResult.APPLIED, store.renew(key, fence, lease), "renew keeps the token");
    assertEquals(
        UpdateResult.APPLIED, store.checkpoint(key, fence, RecoveryPoint.of("s", bytes("1"))));

    assertEquals(UpdateResult.APPLIED, store.abandon(key, token));

    assertEquals(Optional.empty(), store.find(key));
    assertEquals(UpdateResult.FENCE_LOST, store.abandon(key, token), "abandon is idempotent");
    assertEquals(UpdateResult.FENCE_LOST, store.complete(key, fence, response("stale")));
    ClaimResult.Acquired retry =
        assertInstanceOf(
            ClaimResult.Acquired.class, store.claim(key, fingerprint("a"), lease, retention));
    assertFalse(retry.takeover(), "nothing is left of the abandoned claim");
    assertTrue(retry.fence() > fence);
  }

  @Test
  void abandonNeverTouchesAnotherClaimsRecord() {
    StorageKey key = newKey();
    ClaimToken first = ClaimToken.random();
    long fence = claimFence(store.claim(key, fingerprint("a"), lease, retention, first));

    assertEquals(UpdateResult.FENCE_LOST, store.abandon(key, ClaimToken.random()));
    advance(lease.plus(unit));
    ClaimToken second = ClaimToken.random();
    ClaimResult.Acquired takeover =
        assertInstanceOf(
            ClaimResult.Acquired.class,
            store.claim(key, fingerprint("a"), lease, retention, second));
    assertTrue(takeover.takeover());
    assertEquals(
        UpdateResult.FENCE_LOST, store.abandon(key, first), "a takeover replaces the token");
    assertEquals(UpdateResult.APPLIED, store.complete(key, takeover.fence(), response("done")));
    assertEquals(UpdateResult.FENCE_LOST, store.abandon(key, second), "completed records stay");
    assertEquals("done", replayText(key, "a"));
    assertTrue(fence < takeover.fence());
  }

  @Test
  void aClaimWhoseReplyWasLostIsAbandonedByItsTokenAndARetryRunsOnce() {
    StorageKey key = newKey();
    OutageStore lossy = new OutageStore(store);
    ClaimToken token = ClaimToken.random();
    lossy.loseReplies(true);
    assertThrows(
        StoreUnavailableException.class,
        () -> lossy.claim(key, fingerprint("a"), lease, retention, token));
    assertInstanceOf(
        ClaimResult.InFlight.class,
        store.claim(key, fingerprint("a"), lease, retention),
        "the lost claim took effect: without abandon a retry would wait, then take it over");
    lossy.loseReplies(false);

    assertEquals(UpdateResult.APPLIED, lossy.abandon(key, token));

    ClaimResult.Acquired retry =
        assertInstanceOf(
            ClaimResult.Acquired.class, store.claim(key, fingerprint("a"), lease, retention));
    assertFalse(retry.takeover(), "a fresh run, not a takeover of an unknown outcome");
  }

  // ------------------------------------------------------------------------------ retention

  @Test
  void aCompletedRecordReplaysUntilRetentionEndsThenBehavesAsAbsent() {
    StorageKey key = newKey();
    long fence = acquire(key, "a");
    advance(unit.multipliedBy(10));
    assertEquals(UpdateResult.APPLIED, store.complete(key, fence, response("done")));

    advance(retention.minus(unit.multipliedBy(2)));
    assertEquals(
        "done", replayText(key, "a"), "retention counts from completion, not from the claim");

    advance(unit.multipliedBy(3));
    assertEquals(Optional.empty(), store.find(key));
    ClaimResult.Acquired again =
        assertInstanceOf(
            ClaimResult.Acquired.class, store.claim(key, fingerprint("b"), lease, retention));
    assertFalse(again.takeover());
  }

  @Test
  void purgeExpiredDeletesExpiredRecordsAndKeepsLiveOnes() {
    Duration shortRetention = unit.multipliedBy(2);
    List<StorageKey> expiring = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      StorageKey key = newKey();
      long fence = claimFence(store.claim(key, fingerprint("a"), unit, shortRetention));
      store.complete(key, fence, response("short " + i));
      expiring.add(key);
    }
    List<StorageKey> live = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      StorageKey key = newKey();
      store.complete(key, acquire(key, "a"), response("long " + i));
      live.add(key);
    }
    advance(shortRetention.plus(unit));

    int purged = 0;
    for (int round = 0; round < 10; round++) {
      int batch = store.purgeExpired(2);
      assertTrue(batch >= 0 && batch <= 2, "a purge deletes at most its limit: " + batch);
      purged += batch;
    }

    assertTrue(purged <= expiring.size(), "purged live records: " + purged);
    for (StorageKey key : expiring) {
      assertEquals(Optional.empty(), store.find(key));
    }
    for (int i = 0; i < live.size(); i++) {
      assertEquals("long " + i, replayText(live.get(i), "a"));
    }
  }

  // ------------------------------------------------------------------------ recovery points

  @Test
  void aTakeoverReceivesTheLastRecoveryPointTheEarlierHolderSaved() {
    StorageKey key = newKey();
    long fence = acquire(key, "a");
    assertEquals(
        UpdateResult.APPLIED,
        store.checkpoint(key, fence, RecoveryPoint.of("reserved", bytes("r-1"))));
    assertEquals(
        UpdateResult.APPLIED,
        store.checkpoint(key, fence, RecoveryPoint.of("charged", bytes("ch-9"))));
    advance(lease.plus(unit));

    ClaimResult.Acquired takeover =
        assertInstanceOf(
            ClaimResult.Acquired.class, store.claim(key, fingerprint("a"), lease, retention));

    assertTrue(takeover.takeover());
    assertEquals(Optional.of(RecoveryPoint.of("charged", bytes("ch-9"))), takeover.recoveryPoint());
  }

  // ------------------------------------------------------------------------------------ find

  @Test
  void findShowsStateFenceFingerprintAndResponse() {
    StorageKey key = newKey();
    long fence = acquire(key, "a");

    IdempotencyRecord inProgress = store.find(key).orElseThrow();
    assertEquals(RecordState.IN_PROGRESS, inProgress.state());
    assertEquals(fence, inProgress.fence());
    assertEquals(fingerprint("a"), inProgress.fingerprint());
    assertEquals(Optional.empty(), inProgress.response());
    assertTrue(inProgress.leaseExpiresAt().isBefore(inProgress.expiresAt().plusMillis(1)));

    store.complete(key, fence, response("done"));
    IdempotencyRecord completed = store.find(key).orElseThrow();
    assertEquals(RecordState.COMPLETED, completed.state());
    assertEquals(Optional.of(response("done")), completed.response());
  }

  // ------------------------------------------------------------------------------ bad input

  @Test
  void badArgumentsAreRejectedWithTheirNames() {
    StorageKey key = newKey();
    Fingerprint fp = fingerprint("a");

    assertMessageNames(
        "key",
        assertThrows(NullPointerException.class, () -> store.claim(null, fp, lease, retention)));
    assertMessageNames(
        "fingerprint",
        assertThrows(NullPointerException.class, () -> store.claim(key, null, lease, retention)));
    assertMessageNames(
        "lease",
        assertThrows(
            IllegalArgumentException.class, () -> store.claim(key, fp, Duration.ZERO, retention)));
    assertMessageNames(
        "lease",
        assertThrows(
            IllegalArgumentException.class,
            () -> store.claim(key, fp, Duration.ofDays(2), retention)));
    assertMessageNames(
        "retention",
        assertThrows(
            IllegalArgumentException.class,
            () -> store.claim(key, fp, lease, Duration.ofDays(401))));
    assertMessageNames(
        "fence",
        assertThrows(IllegalArgumentException.class, () -> store.complete(key, 0, response("x"))));
    assertMessageNames(
        "response", assertThrows(NullPointerException.class, () -> store.complete(key, 1, null)));
    assertMessageNames(
        "lease",
        assertThrows(
            IllegalArgumentException.class, () -> store.renew(key, 1, Duration.ofMillis(-5))));
    assertMessageNames(
        "limit", assertThrows(IllegalArgumentException.class, () -> store.purgeExpired(0)));
    assertMessageNames(
        "token",
        assertThrows(
            NullPointerException.class, () -> store.claim(key, fp, lease, retention, null)));
    assertMessageNames(
        "token", assertThrows(NullPointerException.class, () -> store.abandon(key, null)));
    assertEquals(Optional.empty(), store.find(key), "rejected calls must not create records");
  }

  // ------------------------------------------------------------------------------ helpers

  /** A random key: unique across the JVM and across stores sharing one server. */
  protected static StorageKey newKey() {
    byte[] bytes = new byte[StorageKey.LENGTH];
    java.util.concurrent.ThreadLocalRandom.current().nextBytes(bytes);
    return StorageKey.of(bytes);
  }

  protected static Fingerprint fingerprint(String request) {
    return Fingerprint.builder().add("request", request).build();
  }

  protected static StoredResponse response(String text) {
    return StoredResponse.of(bytes(text));
  }

  protected static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  protected static String text(StoredResponse response) {
    return new String(response.toBytes(), StandardCharsets.UTF_8);
  }

  protected long acquire(StorageKey key, String request) {
    return claimFence(store.claim(key, fingerprint(request), lease, retention));
  }

  protected static long claimFence(ClaimResult result) {
    ClaimResult.Acquired acquired = assertInstanceOf(ClaimResult.Acquired.class, result);
    return acquired.fence();
  }

  protected String replayText(StorageKey key, String request) {
    ClaimResult result = store.claim(key, fingerprint(request), lease, retention);
    return text(assertInstanceOf(ClaimResult.Replay.class, result).response());
  }

  private static long seed() {
    long seed = System.nanoTime();
    System.out.println("IdempotencyStoreContract random seed: " + seed);
    return seed;
  }

  private static void assertMessageNames(String argument, Throwable thrown) {
    assertTrue(
        thrown.getMessage() != null && thrown.getMessage().contains(argument),
        "message should name '" + argument + "': " + thrown.getMessage());
  }

  /** Runs {@code task} on {@code threads} threads released at the same instant. */
  protected static <T> List<T> race(int threads, Callable<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  return task.call();
                }));
      }
      assertTrue(ready.await(30, TimeUnit.SECONDS), "threads did not start");
      go.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
