package dev.idempo.store.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.Attempt;
import dev.idempo.ExecutionOutcome;
import dev.idempo.ExecutionResult;
import dev.idempo.Fingerprint;
import dev.idempo.Idempotency;
import dev.idempo.IdempotencyKey;
import dev.idempo.IdempotencyListener;
import dev.idempo.ResultCodec;
import dev.idempo.Scope;
import dev.idempo.StoreCall;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.StoreUnavailableException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 item 7: a claim that ran on the store but whose reply was lost left an IN_PROGRESS record
 * nobody held; the caller got "not run, retry", and the retries got 409, then outcome-unknown,
 * although the work never ran. The same after a release that failed.
 */
class LostClaimReplyTest {
  private final MutableClock clock = MutableClock.start();
  private final InMemoryIdempotencyStore memory =
      InMemoryIdempotencyStore.builder().clock(clock).build();
  private final OutageStore store = new OutageStore(memory);
  private final Scope scope = Scope.of("alice", "POST /charges");
  private final IdempotencyKey key = IdempotencyKey.of("charge-1");
  private final Fingerprint request = Fingerprint.builder().add("body", "{}").build();
  private final AtomicInteger runs = new AtomicInteger();

  /** Counts down once the given background call reached the store and got an answer. */
  private static IdempotencyListener answered(StoreCall call, CountDownLatch latch) {
    return new IdempotencyListener() {
      @Override
      public void onStoreCall(StoreCall made, long nanos, Throwable failure) {
        if (made == call && failure == null) {
          latch.countDown();
        }
      }
    };
  }

  @Test
  void aClaimWhoseReplyWasLostNeverBecomesOutcomeUnknownAndARetryRunsOnce() throws Exception {
    CountDownLatch abandoned = new CountDownLatch(1);
    Idempotency<String> payments =
        Idempotency.builder(store, ResultCodec.utf8())
            .listener(answered(StoreCall.ABANDON, abandoned))
            .build();

    store.loseReplies(true);
    assertThrows(
        StoreUnavailableException.class,
        () ->
            payments.execute(scope, key, request, context -> "charge #" + runs.incrementAndGet()));
    assertTrue(memory.find(scope.storageKey(key)).isPresent(), "the lost claim took effect");
    store.loseReplies(false);

    assertTrue(abandoned.await(30, TimeUnit.SECONDS), "the lost claim was never abandoned");
    assertEquals(Optional.empty(), memory.find(scope.storageKey(key)));
    ExecutionResult<String> retry =
        payments.execute(scope, key, request, context -> "charge #" + runs.incrementAndGet());

    assertEquals(ExecutionOutcome.EXECUTED, retry.outcome());
    assertEquals("charge #1", retry.value());
    assertEquals(1, runs.get());
  }

  @Test
  void aReleaseThatFailedIsRetriedSoARetryRunsOnce() throws Exception {
    CountDownLatch released = new CountDownLatch(1);
    Idempotency<String> payments =
        Idempotency.builder(store, ResultCodec.utf8())
            .listener(answered(StoreCall.RELEASE, released))
            .build();

    try (Attempt<String> attempt = payments.begin(scope, key, request)) {
      store.down(true);
      assertThrows(StoreUnavailableException.class, attempt::release, "nothing was sent");
      store.down(false);
    }

    assertTrue(released.await(30, TimeUnit.SECONDS), "the failed release was never retried");
    ExecutionResult<String> retry =
        payments.execute(scope, key, request, context -> "charge #" + runs.incrementAndGet());
    assertEquals(ExecutionOutcome.EXECUTED, retry.outcome());
    assertEquals(1, runs.get());
  }
}
