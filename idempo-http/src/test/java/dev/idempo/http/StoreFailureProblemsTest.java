package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.ClaimToken;
import dev.idempo.store.IdempotencyRecord;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredRecordUnreadableException;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 item 12: every IllegalStateException from the store was answered as 500
 * stored-response-unreadable ("not run again"), so a store bug looked like a corrupt record. Only
 * {@link StoredRecordUnreadableException} means unreadable; anything else is internal-error.
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
    Decision decision = begin(() -> new StoredResponseUnreadableException("stored response is truncated"));

    assertEquals(Optional.of(ProblemType.STORED_RESPONSE_UNREADABLE), problem(decision));
  }

  private static Optional<ProblemType> problem(Decision decision) {
    return assertInstanceOf(Decision.Respond.class, decision).problem();
  }

  private static Decision begin(Supplier<RuntimeException> failure) throws IOException {
    HttpIdempotency http =
        HttpIdempotency.builder(new FailingClaims(failure))
            .route(IdempotencyRoute.builder("/payments").name("payments").build())
            .build();
    return http.begin(
        IncomingRequest.of(
            "POST",
            "/payments",
            "",
            Map.of(
                "Idempotency-Key", List.of("k-1"),
                "Authorization", List.of("Bearer t"),
                "Content-Type", List.of("application/json")),
            "{}".getBytes(StandardCharsets.UTF_8)));
  }

  /** A real store whose claims throw the given failure, as a buggy or corrupt store would. */
  private static final class FailingClaims implements IdempotencyStore {
    private final IdempotencyStore store = InMemoryIdempotencyStore.create();
    private final Supplier<RuntimeException> failure;

    FailingClaims(Supplier<RuntimeException> failure) {
      this.failure = failure;
    }

    @Override
    public ClaimResult claim(
        StorageKey key,
        Fingerprint fingerprint,
        Duration lease,
        Duration retention,
        ClaimToken token) {
      store.claim(key, fingerprint, lease, retention, token);
      throw failure.get();
    }

    @Override
    public UpdateResult abandon(StorageKey key, ClaimToken token) {
      return store.abandon(key, token);
    }

    @Override
    public UpdateResult complete(StorageKey key, long fence, StoredResponse response) {
      return store.complete(key, fence, response);
    }

    @Override
    public UpdateResult release(StorageKey key, long fence) {
      return store.release(key, fence);
    }

    @Override
    public UpdateResult renew(StorageKey key, long fence, Duration lease) {
      return store.renew(key, fence, lease);
    }

    @Override
    public UpdateResult checkpoint(StorageKey key, long fence, RecoveryPoint point) {
      return store.checkpoint(key, fence, point);
    }

    @Override
    public Optional<IdempotencyRecord> find(StorageKey key) {
      return store.find(key);
    }

    @Override
    public int purgeExpired(int limit) {
      return store.purgeExpired(limit);
    }
  }
}
