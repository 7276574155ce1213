package dev.idempo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.RecordState;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AttemptTest {
  private final TestClock clock = new TestClock();
  private final InMemoryIdempotencyStore store =
      InMemoryIdempotencyStore.builder().clock(clock).build();
  private final Idempotency<String> executor =
      Idempotency.builder(store, ResultCodec.utf8())
          .policy(IdempotencyPolicy.<String>builder().renewInterval(Duration.ZERO).build())
          .build();
  private final Scope scope = Scope.operation("POST /orders");
  private final IdempotencyKey key = IdempotencyKey.of("order-7");
  private final Fingerprint request = Fingerprint.builder().add("body", "{}").build();

  @Test
  void anAttemptFinishedOnAnotherThreadIsReplayedAfterwards() {
    Attempt<String> attempt = executor.begin(scope, key, request);
    assertFalse(attempt.isReplay());
    assertTrue(attempt.isOpen());

    ExecutionResult<String> done =
        CompletableFuture.supplyAsync(() -> attempt.complete("order #7")).join();
    Attempt<String> retry = executor.begin(scope, key, request);

    assertEquals(ExecutionOutcome.EXECUTED, done.outcome());
    assertFalse(attempt.isOpen());
    assertTrue(retry.isReplay());
    assertEquals("order #7", retry.replayed().value());
    assertThrows(IllegalStateException.class, retry::context);
    assertThrows(IllegalStateException.class, () -> retry.complete("again"));
  }

  @Test
  void releaseLetsTheNextAttemptRun() {
    executor.begin(scope, key, request).release();

    Attempt<String> next = executor.begin(scope, key, request);

    assertFalse(next.isReplay());
    assertThrows(IllegalStateException.class, next::replayed);
  }

  @Test
  void anUnknownOutcomeIsWhatEveryRetryGets() {
    executor.begin(scope, key, request).recordOutcomeUnknown();

    OutcomeUnknownException e =
        assertThrows(OutcomeUnknownException.class, () -> executor.begin(scope, key, request));
    assertTrue(e.replayed());
  }

  @Test
  void anAttemptFinishesOnce() {
    Attempt<String> attempt = executor.begin(scope, key, request);
    attempt.complete("first");

    assertThrows(IllegalStateException.class, () -> attempt.complete("second"));
    assertThrows(IllegalStateException.class, attempt::release);
    assertThrows(IllegalStateException.class, attempt::recordOutcomeUnknown);
    attempt.close();
  }

  @Test
  void closingWithoutFinishingLeavesTheKeyInProgressUntilTheLeaseEnds() {
    Attempt<String> abandoned = executor.begin(scope, key, request);
    abandoned.close();

    assertEquals(RecordState.IN_PROGRESS, store.find(scope.storageKey(key)).orElseThrow().state());
    assertThrows(KeyInFlightException.class, () -> executor.begin(scope, key, request));
    assertThrows(
        IllegalStateException.class,
        () -> abandoned.complete("late"),
        "a closed attempt cannot finish");
    clock.advance(IdempotencyPolicy.DEFAULT_LEASE.plusSeconds(1));
    assertThrows(OutcomeUnknownException.class, () -> executor.begin(scope, key, request));
  }

  @Test
  void aFailureIsStoredThroughTheAttemptToo() {
    executor.begin(scope, key, request).fail(new IllegalStateException("upstream said no"));

    StoredFailureException replayed =
        assertThrows(StoredFailureException.class, () -> executor.begin(scope, key, request));
    assertEquals("upstream said no", replayed.failureMessage());
    assertThrows(
        NullPointerException.class,
        () -> executor.begin(scope, IdempotencyKey.of("x"), request).fail(null));
  }
}
