package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.Fingerprint;
import dev.idempo.IdempotencyListener;
import dev.idempo.StoreCall;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.ClaimToken;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredRecordUnreadableException;
import dev.idempo.store.tck.ForwardingStore;
import dev.idempo.store.tck.OutageStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * How store failures reach HTTP callers. Issue 9 item 12: every IllegalStateException from the
 * store was answered as 500 stored-response-unreadable ("not run again"), so a store bug looked
 * like a corrupt record. Only {@link StoredRecordUnreadableException} means unreadable; anything
 * else is internal-error.
 */
class StoreFailureProblemsTest {

  @Test
  void aStoreBugIsAnInternalErrorNotAnUnreadableRecord() throws IOException {
    Decision decision =
        begin(() -> new IllegalStateException("unexpected claim reply X for idempo:{abc}"));

    assertEquals(Optional.of(ProblemType.INTERNAL_ERROR), problem(decision));
    assertEquals(500, assertInstanceOf(Decision.Respond.class, decision).response().status());
  }

  @Test
  void anUnreadableStoredRecordIsStoredResponseUnreadable() throws IOException {
    Decision decision =
        begin(() -> new StoredRecordUnreadableException("record has format version 9"));

    assertEquals(Optional.of(ProblemType.STORED_RESPONSE_UNREADABLE), problem(decision));
  }

  @Test
  void everyStoreFormatExceptionIsTheOneUnreadableType() throws IOException {
    Decision decision =
        begin(() -> new StoredResponseUnreadableException("stored response is truncated"));

    assertEquals(Optional.of(ProblemType.STORED_RESPONSE_UNREADABLE), problem(decision));
  }

  /** Issue 9 item 3: a full memory store refuses new keys with 503, and forgets nothing. */
  @Test
  void aFullMemoryStoreAnswersStoreUnavailableAndForwardsNothing() throws IOException {
    HttpIdempotency http =
        HttpIdempotency.builder(InMemoryIdempotencyStore.builder().maxRecords(1).build())
            .route(IdempotencyRoute.builder("/payments").name("payments").build())
            .build();
    assertInstanceOf(Decision.Proceed.class, http.begin(request("k-1")))
        .attempt()
        .complete(CapturedResponse.builder(201).body(new byte[] {1}).build());

    assertEquals(Optional.of(ProblemType.STORE_UNAVAILABLE), problem(http.begin(request("k-2"))));
    assertEquals(503, ProblemType.STORE_UNAVAILABLE.status());
    assertInstanceOf(Decision.Respond.class, http.begin(request("k-1")), "k-1 still replays");
  }

  /**
   * Issue 9 item 7, over HTTP: the claim's reply is lost, the caller gets 503 "not run, retry";
   * once the store is back, the retry runs (before: 409, then 502 outcome-unknown).
   */
  @Test
  void aLostClaimReplyAnswers503AndTheRetryRunsInsteadOfOutcomeUnknown() throws Exception {
    OutageStore store = new OutageStore(InMemoryIdempotencyStore.create());
    CountDownLatch abandoned = new CountDownLatch(1);
    HttpIdempotency http =
        HttpIdempotency.builder(store)
            .listener(
                new IdempotencyListener() {
                  @Override
                  public void onStoreCall(StoreCall call, long nanos, Throwable failure) {
                    if (call == StoreCall.ABANDON && failure == null) {
                      abandoned.countDown();
                    }
                  }
                })
            .route(IdempotencyRoute.builder("/payments").name("payments").build())
            .build();

    store.loseReplies(true);
    assertEquals(Optional.of(ProblemType.STORE_UNAVAILABLE), problem(http.begin(request("k-1"))));
    store.loseReplies(false);
    assertTrue(abandoned.await(30, TimeUnit.SECONDS), "the lost claim was never abandoned");

    assertInstanceOf(Decision.Proceed.class, http.begin(request("k-1")), "the retry runs");
  }

  private static IncomingRequest request(String key) {
    return IncomingRequest.of(
        "POST",
        "/payments",
        "",
        Map.of(
            "Idempotency-Key", List.of(key),
            "Authorization", List.of("Bearer t"),
            "Content-Type", List.of("application/json")),
        "{}".getBytes(StandardCharsets.UTF_8));
  }

  private static Optional<ProblemType> problem(Decision decision) {
    return assertInstanceOf(Decision.Respond.class, decision).problem();
  }

  private static Decision begin(Supplier<RuntimeException> failure) throws IOException {
    HttpIdempotency http =
        HttpIdempotency.builder(new FailingClaims(failure))
            .route(IdempotencyRoute.builder("/payments").name("payments").build())
            .build();
    return http.begin(request("k-1"));
  }

  /** A real store whose claims throw the given failure, as a buggy or corrupt store would. */
  private static final class FailingClaims extends ForwardingStore {
    private final Supplier<RuntimeException> failure;

    FailingClaims(Supplier<RuntimeException> failure) {
      super(InMemoryIdempotencyStore.create());
      this.failure = failure;
    }

    @Override
    public ClaimResult claim(
        StorageKey key,
        Fingerprint fingerprint,
        Duration lease,
        Duration retention,
        ClaimToken token) {
      super.claim(key, fingerprint, lease, retention, token);
      throw failure.get();
    }
  }
}
