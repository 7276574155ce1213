package dev.idempo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.internal.StoredOutcome;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.ClaimToken;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.RecordState;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.store.StoredRecordUnreadableException;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IdempotencyTest {
  private final TestClock clock = new TestClock();
  private final InMemoryIdempotencyStore store =
      InMemoryIdempotencyStore.builder().clock(clock).build();
  private final Scope scope = Scope.of("alice", "POST /charges");
  private final IdempotencyKey key = IdempotencyKey.of("charge-1");
  private final Fingerprint request =
      Fingerprint.builder().add("body", "{\"amount\":1000}").build();
  private final CountingListener listener = new CountingListener();
  private final AtomicInteger runs = new AtomicInteger();

  private Idempotency<String> executor(IdempotencyPolicy<String> policy) {
    return Idempotency.builder((IdempotencyStore) store, ResultCodec.utf8())
        .policy(policy)
        .listener(listener)
        .clock(clock)
        .build();
  }

  private Idempotency<String> executor() {
    return executor(IdempotencyPolicy.<String>builder().renewInterval(Duration.ZERO).build());
  }

  private IdempotentWork<String> charge() {
    return context -> "charge #" + runs.incrementAndGet();
  }

  @Test
  void runsOnceThenReplaysTheStoredResult() {
    Idempotency<String> payments = executor();

    ExecutionResult<String> first = payments.execute(scope, key, request, charge());
    ExecutionResult<String> second = payments.execute(scope, key, request, charge());

    assertEquals("charge #1", first.value());
    assertFalse(first.isReplayed());
    assertEquals(ExecutionOutcome.EXECUTED, first.outcome());
    assertEquals("charge #1", second.value());
    assertTrue(second.isReplayed());
    assertEquals(1, runs.get());
    assertEquals(1, listener.count(ExecutionOutcome.EXECUTED));
    assertEquals(1, listener.count(ExecutionOutcome.REPLAYED));
  }

  @Test
  void theSameKeyInAnotherScopeRunsSeparately() {
    Idempotency<String> payments = executor();

    payments.execute(scope, key, request, charge());
    ExecutionResult<String> bob =
        payments.execute(Scope.of("bob", "POST /charges"), key, request, charge());

    assertEquals("charge #2", bob.value());
    assertFalse(bob.isReplayed());
  }

  @Test
  void anotherPayloadWithTheSameKeyIsAMismatchAndDoesNotRun() {
    Idempotency<String> payments = executor();
    payments.execute(scope, key, request, charge());

    Fingerprint other = Fingerprint.builder().add("body", "{\"amount\":9999}").build();
    assertThrows(
        FingerprintMismatchException.class, () -> payments.execute(scope, key, other, charge()));
    assertEquals(1, runs.get());
    assertEquals(1, listener.count(ExecutionOutcome.MISMATCH));
  }

  @Test
  void aDuplicateWhileTheFirstRunsIsInFlight() {
    Idempotency<String> payments = executor();
    StorageKey storageKey = scope.storageKey(key);

    KeyInFlightException inFlight =
        assertThrows(
            KeyInFlightException.class,
            () ->
                payments.execute(
                    scope,
                    key,
                    request,
                    context -> payments.execute(scope, key, request, charge()).value()));

    assertEquals(IdempotencyPolicy.DEFAULT_LEASE, inFlight.retryAfter());
    assertEquals(0, runs.get());
    // The outer run's failure (the in-flight exception) was stored, as failures are by default.
    assertEquals(RecordState.COMPLETED, store.find(storageKey).orElseThrow().state());
  }

  @Test
  void waitingForAnInFlightDuplicateReplaysItsOutcome() {
    StorageKey storageKey = scope.storageKey(key);
    long otherFence =
        fence(store.claim(storageKey, request, Duration.ofSeconds(30), Duration.ofHours(1)));
    List<Duration> waits = new ArrayList<>();
    Idempotency<String> payments =
        Idempotency.builder((IdempotencyStore) store, ResultCodec.utf8())
            .policy(
                IdempotencyPolicy.<String>builder()
                    .waitForInFlight(Duration.ofSeconds(5))
                    .renewInterval(Duration.ZERO)
                    .build())
            .clock(clock)
            .sleeper(
                duration -> {
                  waits.add(duration);
                  clock.advance(duration);
                  if (waits.size() == 3) {
                    store.complete(
                        storageKey, otherFence, StoredResponse.of(envelope("the other run")));
                  }
                })
            .build();

    ExecutionResult<String> result = payments.execute(scope, key, request, charge());

    assertTrue(result.isReplayed());
    assertEquals("the other run", result.value());
    assertEquals(0, runs.get());
    assertEquals(3, waits.size());
    assertTrue(
        waits.stream().allMatch(w -> w.toMillis() >= 1 && w.toMillis() <= 50), waits.toString());
  }

  @Test
  void waitingGivesUpWithInFlightAtTheDeadline() {
    StorageKey storageKey = scope.storageKey(key);
    store.claim(storageKey, request, Duration.ofSeconds(30), Duration.ofHours(1));
    Idempotency<String> payments =
        Idempotency.builder((IdempotencyStore) store, ResultCodec.utf8())
            .policy(
                IdempotencyPolicy.<String>builder().waitForInFlight(Duration.ofMillis(500)).build())
            .clock(clock)
            .sleeper(clock::advance)
            .build();

    assertThrows(KeyInFlightException.class, () -> payments.execute(scope, key, request, charge()));
    assertEquals(0, runs.get());
  }

  @Test
  void aFailureIsStoredByDefaultAndReplayedWithoutRunningAgain() {
    Idempotency<String> payments = executor();

    IllegalStateException original =
        assertThrows(
            IllegalStateException.class,
            () ->
                payments.execute(
                    scope,
                    key,
                    request,
                    context -> {
                      runs.incrementAndGet();
                      throw new IllegalStateException("card declined");
                    }));
    StoredFailureException replayed =
        assertThrows(
            StoredFailureException.class, () -> payments.execute(scope, key, request, charge()));

    assertEquals("card declined", original.getMessage());
    assertEquals(IllegalStateException.class.getName(), replayed.failureClassName());
    assertEquals("card declined", replayed.failureMessage());
    assertEquals(1, runs.get());
  }

  @Test
  void aReleasedFailureLetsTheRetryRun() {
    Idempotency<String> payments =
        executor(
            IdempotencyPolicy.<String>builder()
                .releaseFailuresIf(failure -> failure instanceof IOException)
                .renewInterval(Duration.ZERO)
                .build());

    WorkFailedException failed =
        assertThrows(
            WorkFailedException.class,
            () ->
                payments.execute(
                    scope,
                    key,
                    request,
                    context -> {
                      runs.incrementAndGet();
                      throw new IOException("connection refused");
                    }));
    ExecutionResult<String> retry = payments.execute(scope, key, request, charge());

    assertInstanceOf(IOException.class, failed.getCause());
    assertEquals("charge #2", retry.value());
    assertFalse(retry.isReplayed());
    assertEquals(1, listener.count(ExecutionOutcome.RELEASED));
  }

  @Test
  void aReleasedResultIsReturnedButNotStored() {
    Idempotency<String> payments =
        executor(
            IdempotencyPolicy.<String>builder()
                .releaseResultsIf(result -> result.startsWith("busy"))
                .renewInterval(Duration.ZERO)
                .build());

    ExecutionResult<String> busy =
        payments.execute(scope, key, request, context -> "busy, try later");
    ExecutionResult<String> retry = payments.execute(scope, key, request, charge());

    assertEquals(ExecutionOutcome.RELEASED, busy.outcome());
    assertEquals("busy, try later", busy.value());
    assertEquals(ExecutionOutcome.EXECUTED, retry.outcome());
    assertEquals(1, runs.get(), "the retry ran the work");
  }

  @Test
  void aTakeoverFailsClosedByDefaultAndKeepsFailingClosed() {
    store.claim(scope.storageKey(key), request, Duration.ofSeconds(30), Duration.ofHours(1));
    clock.advance(Duration.ofSeconds(31));
    Idempotency<String> payments = executor();

    OutcomeUnknownException decided =
        assertThrows(
            OutcomeUnknownException.class, () -> payments.execute(scope, key, request, charge()));
    OutcomeUnknownException replayed =
        assertThrows(
            OutcomeUnknownException.class, () -> payments.execute(scope, key, request, charge()));

    assertFalse(decided.replayed());
    assertTrue(replayed.replayed());
    assertEquals(0, runs.get(), "fail closed never runs the work again");
    assertEquals(1, listener.count(ExecutionOutcome.OUTCOME_UNKNOWN));
  }

  @Test
  void aTakeoverReexecutesWhenThePolicySaysSo() {
    store.claim(scope.storageKey(key), request, Duration.ofSeconds(30), Duration.ofHours(1));
    clock.advance(Duration.ofSeconds(31));
    Idempotency<String> payments =
        executor(
            IdempotencyPolicy.<String>builder()
                .takeover(TakeoverPolicy.REEXECUTE)
                .renewInterval(Duration.ZERO)
                .build());

    ExecutionResult<String> result =
        payments.execute(scope, key, request, context -> context.isTakeover() ? "re-run" : "first");

    assertEquals("re-run", result.value());
  }

  @Test
  void aResumedTakeoverContinuesAfterTheLastRecoveryPoint() {
    StorageKey storageKey = scope.storageKey(key);
    long crashed =
        fence(store.claim(storageKey, request, Duration.ofSeconds(30), Duration.ofHours(1)));
    store.checkpoint(
        storageKey,
        crashed,
        RecoveryPoint.of("charged", "ch_123".getBytes(StandardCharsets.UTF_8)));
    clock.advance(Duration.ofSeconds(31));
    Idempotency<String> payments =
        executor(
            IdempotencyPolicy.<String>builder()
                .takeover(TakeoverPolicy.RESUME)
                .renewInterval(Duration.ZERO)
                .build());

    ExecutionResult<String> result =
        payments.execute(
            scope,
            key,
            request,
            context -> {
              RecoveryPoint point = context.recoveryPoint().orElseThrow();
              return "receipt for "
                  + new String(point.state(), StandardCharsets.UTF_8)
                  + " after "
                  + point.name();
            });

    assertEquals("receipt for ch_123 after charged", result.value());
    assertEquals(
        "receipt for ch_123 after charged",
        payments.execute(scope, key, request, charge()).value());
  }

  @Test
  void resumeWithoutARecoveryPointFailsClosed() {
    store.claim(scope.storageKey(key), request, Duration.ofSeconds(30), Duration.ofHours(1));
    clock.advance(Duration.ofSeconds(31));
    Idempotency<String> payments =
        executor(
            IdempotencyPolicy.<String>builder()
                .takeover(TakeoverPolicy.RESUME)
                .renewInterval(Duration.ZERO)
                .build());

    assertThrows(
        OutcomeUnknownException.class, () -> payments.execute(scope, key, request, charge()));
    assertEquals(0, runs.get());
  }

  @Test
  void checkpointsAreSavedOnTheRecord() {
    Idempotency<String> payments = executor();

    payments.execute(
        scope,
        key,
        request,
        context -> {
          context.checkpoint("reserved", new byte[] {1});
          RecoveryPoint saved =
              store.find(context.storageKey()).orElseThrow().recoveryPoint().orElseThrow();
          assertEquals("reserved", saved.name());
          return "done";
        });
  }

  @Test
  void workWhoseClaimWasTakenOverIsNotStoredAndSaysSo() {
    Idempotency<String> payments = executor();
    StorageKey storageKey = scope.storageKey(key);
    long[] newFence = new long[1];

    FenceLostException lost =
        assertThrows(
            FenceLostException.class,
            () ->
                payments.execute(
                    scope,
                    key,
                    request,
                    context -> {
                      clock.advance(IdempotencyPolicy.DEFAULT_LEASE.plusSeconds(1));
                      newFence[0] =
                          fence(
                              store.claim(
                                  storageKey,
                                  request,
                                  Duration.ofSeconds(30),
                                  Duration.ofHours(1)));
                      return "slow result";
                    }));

    assertTrue(lost.getMessage().contains("not stored"), lost.getMessage());
    assertEquals(
        newFence[0],
        store.find(storageKey).orElseThrow().fence(),
        "the new holder's claim is untouched");
    assertEquals(RecordState.IN_PROGRESS, store.find(storageKey).orElseThrow().state());
    assertThrows(FenceLostException.class, () -> checkpointAfterLoss(payments));
  }

  private void checkpointAfterLoss(Idempotency<String> payments) {
    IdempotencyKey other = IdempotencyKey.of("charge-2");
    payments.execute(
        scope,
        other,
        request,
        context -> {
          store.release(context.storageKey(), context.fence());
          context.checkpoint("step", new byte[0]);
          return "unreachable";
        });
  }

  @Test
  void checkedExceptionsAreWrappedAndUncheckedOnesPassThrough() {
    Idempotency<String> payments = executor();
    IllegalArgumentException unchecked = new IllegalArgumentException("bad amount");

    IllegalArgumentException thrown =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                payments.execute(
                    scope,
                    IdempotencyKey.of("a"),
                    request,
                    context -> {
                      throw unchecked;
                    }));
    WorkFailedException wrapped =
        assertThrows(
            WorkFailedException.class,
            () ->
                payments.execute(
                    scope,
                    IdempotencyKey.of("b"),
                    request,
                    context -> {
                      throw new Exception("checked");
                    }));

    assertSame(unchecked, thrown);
    assertEquals("checked", wrapped.getCause().getMessage());
  }

  @Test
  void longWorkRenewsItsLease() throws Exception {
    CountingStore counting = new CountingStore(store);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      Idempotency<String> payments =
          Idempotency.builder((IdempotencyStore) counting, ResultCodec.utf8())
              .policy(
                  IdempotencyPolicy.<String>builder()
                      .lease(Duration.ofSeconds(3))
                      .renewInterval(Duration.ofMillis(5))
                      .build())
              .renewalScheduler(scheduler)
              .build();

      String result =
          payments
              .execute(
                  scope,
                  key,
                  request,
                  context -> {
                    assertTrue(
                        counting.renewed.await(10, TimeUnit.SECONDS), "the lease was not renewed");
                    return "long work";
                  })
              .value();

      assertEquals("long work", result);
      assertTrue(counting.renewals.get() >= 2);
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void aStoreOutageIsNeverAPassThrough() {
    IdempotencyStore down =
        new CountingStore(store) {
          @Override
          public ClaimResult claim(
              StorageKey k, Fingerprint f, Duration lease, Duration retention, ClaimToken token) {
            throw new StoreUnavailableException(
                "store is down", new IOException("connection refused"));
          }
        };
    Idempotency<String> payments =
        Idempotency.builder(down, ResultCodec.utf8()).listener(listener).build();

    assertThrows(
        StoreUnavailableException.class, () -> payments.execute(scope, key, request, charge()));
    assertEquals(0, runs.get());
    assertEquals(1, listener.storeFailures.get());
  }

  @Test
  void aListenerThatThrowsChangesNothing() {
    Idempotency<String> payments =
        Idempotency.builder((IdempotencyStore) store, ResultCodec.utf8())
            .listener(
                new IdempotencyListener() {
                  @Override
                  public void onOutcome(Scope s, ExecutionOutcome outcome) {
                    throw new IllegalStateException("broken metrics");
                  }
                })
            .build();

    assertEquals("charge #1", payments.execute(scope, key, request, charge()).value());
  }

  @Test
  void aStoredOutcomeInAnUnknownFormatVersionIsAClearError() {
    StorageKey storageKey = scope.storageKey(key);
    long fence =
        fence(store.claim(storageKey, request, Duration.ofSeconds(30), Duration.ofHours(1)));
    store.complete(storageKey, fence, StoredResponse.of(new byte[] {(byte) 0xD1, 9, 0, 'x'}));

    StoredRecordUnreadableException e =
        assertThrows(
            StoredRecordUnreadableException.class,
            () -> executor().execute(scope, key, request, charge()));
    assertTrue(e.getMessage().contains("version 9"), e.getMessage());
  }

  @Test
  void manyConcurrentDuplicatesRunTheWorkOnce() throws Exception {
    Idempotency<String> payments = executor();
    int threads = 32;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        answers.add(
            pool.submit(
                () -> {
                  go.await();
                  try {
                    return payments.execute(scope, key, request, charge()).value();
                  } catch (KeyInFlightException e) {
                    return "in flight";
                  }
                }));
      }
      go.countDown();
      for (Future<String> answer : answers) {
        String value = answer.get(30, TimeUnit.SECONDS);
        assertTrue(value.equals("charge #1") || value.equals("in flight"), value);
      }
      assertEquals(1, runs.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void nullArgumentsAreRejectedByName() {
    Idempotency<String> payments = executor();
    assertTrue(
        assertThrows(
                NullPointerException.class, () -> payments.execute(null, key, request, charge()))
            .getMessage()
            .contains("scope"));
    assertTrue(
        assertThrows(
                NullPointerException.class, () -> payments.execute(scope, null, request, charge()))
            .getMessage()
            .contains("key"));
    assertTrue(
        assertThrows(NullPointerException.class, () -> payments.execute(scope, key, null, charge()))
            .getMessage()
            .contains("fingerprint"));
    assertTrue(
        assertThrows(NullPointerException.class, () -> payments.execute(scope, key, request, null))
            .getMessage()
            .contains("work"));
    assertTrue(
        assertThrows(
                NullPointerException.class, () -> Idempotency.builder(null, ResultCodec.utf8()))
            .getMessage()
            .contains("store"));
  }

  @Test
  void policyBuilderRejectsBadValuesAtTheSetter() {
    IdempotencyPolicy.Builder<String> builder = IdempotencyPolicy.builder();
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> builder.lease(Duration.ZERO))
            .getMessage()
            .contains("lease"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> builder.retention(Duration.ofDays(500)))
            .getMessage()
            .contains("retention"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> builder.waitForInFlight(Duration.ofHours(1)))
            .getMessage()
            .contains("waitForInFlight"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> builder.renewInterval(Duration.ofSeconds(-1)))
            .getMessage()
            .contains("renewInterval"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    builder
                        .lease(Duration.ofSeconds(10))
                        .renewInterval(Duration.ofSeconds(10))
                        .build())
            .getMessage()
            .contains("renewInterval"));
    IdempotencyPolicy<String> defaults = IdempotencyPolicy.defaults();
    assertEquals(Duration.ofSeconds(10), defaults.renewInterval());
    assertEquals(TakeoverPolicy.FAIL_CLOSED, defaults.takeover());
    assertEquals(defaults.toString(), defaults.toBuilder().build().toString());
  }

  /** Issue 9 item 9: a 2 ms lease gave a renewal interval of 0 ms, which turned renewal off. */
  @Test
  void aLeaseTooShortToRenewIsRefusedNamingTheValue() {
    IllegalArgumentException tooShort =
        assertThrows(
            IllegalArgumentException.class,
            () -> IdempotencyPolicy.<String>builder().lease(Duration.ofMillis(2)));
    assertTrue(tooShort.getMessage().contains("lease"), tooShort.getMessage());
    assertTrue(tooShort.getMessage().contains("PT0.002S"), tooShort.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> IdempotencyPolicy.checkLease(Duration.ofNanos(2_999_999)));
    IllegalArgumentException subMillisecond =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                IdempotencyPolicy.<String>builder()
                    .lease(Duration.ofSeconds(1))
                    .renewInterval(Duration.ofNanos(500_000))
                    .build());
    assertTrue(subMillisecond.getMessage().contains("renewInterval"), subMillisecond.getMessage());

    IdempotencyPolicy<String> shortest =
        IdempotencyPolicy.<String>builder().lease(IdempotencyPolicy.MIN_LEASE).build();
    assertEquals(1, shortest.renewInterval().toMillis(), "the shortest lease is still renewed");
    assertEquals(
        Duration.ZERO,
        IdempotencyPolicy.<String>builder().renewInterval(Duration.ZERO).build().renewInterval(),
        "zero still turns renewal off on purpose");
  }

  private static long fence(ClaimResult result) {
    return assertInstanceOf(ClaimResult.Acquired.class, result).fence();
  }

  private static byte[] envelope(String value) {
    return StoredOutcome.encodeValue(value.getBytes(StandardCharsets.UTF_8));
  }

  private static final class CountingListener implements IdempotencyListener {
    private final Map<ExecutionOutcome, AtomicInteger> outcomes =
        new EnumMap<>(ExecutionOutcome.class);
    final AtomicInteger storeFailures = new AtomicInteger();

    CountingListener() {
      for (ExecutionOutcome outcome : ExecutionOutcome.values()) {
        outcomes.put(outcome, new AtomicInteger());
      }
    }

    @Override
    public void onOutcome(Scope scope, ExecutionOutcome outcome) {
      outcomes.get(outcome).incrementAndGet();
    }

    @Override
    public void onStoreCall(StoreCall call, long nanos, Throwable failure) {
      if (failure != null) {
        storeFailures.incrementAndGet();
      }
    }

    int count(ExecutionOutcome outcome) {
      return outcomes.get(outcome).get();
    }
  }

  /** Passes every call to a real store and counts applied renewals. */
  private static class CountingStore implements IdempotencyStore {
    private final IdempotencyStore delegate;
    final AtomicInteger renewals = new AtomicInteger();
    final CountDownLatch renewed = new CountDownLatch(2);

    CountingStore(IdempotencyStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public ClaimResult claim(
        StorageKey key,
        Fingerprint fingerprint,
        Duration lease,
        Duration retention,
        ClaimToken token) {
      return delegate.claim(key, fingerprint, lease, retention, token);
    }

    @Override
    public UpdateResult abandon(StorageKey key, ClaimToken token) {
      return delegate.abandon(key, token);
    }

    @Override
    public UpdateResult complete(StorageKey key, long fence, StoredResponse response) {
      return delegate.complete(key, fence, response);
    }

    @Override
    public UpdateResult release(StorageKey key, long fence) {
      return delegate.release(key, fence);
    }

    @Override
    public UpdateResult renew(StorageKey key, long fence, Duration lease) {
      UpdateResult result = delegate.renew(key, fence, lease);
      if (result.applied()) {
        renewals.incrementAndGet();
        renewed.countDown();
      }
      return result;
    }

    @Override
    public UpdateResult checkpoint(StorageKey key, long fence, RecoveryPoint point) {
      return delegate.checkpoint(key, fence, point);
    }

    @Override
    public Optional<dev.idempo.store.IdempotencyRecord> find(StorageKey key) {
      return delegate.find(key);
    }

    @Override
    public int purgeExpired(int limit) {
      return delegate.purgeExpired(limit);
    }
  }
}
