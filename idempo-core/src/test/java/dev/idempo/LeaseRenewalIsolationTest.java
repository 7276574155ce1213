package dev.idempo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.ClaimResult;
import dev.idempo.store.ClaimToken;
import dev.idempo.store.IdempotencyRecord;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 item 10: lease renewals ran their blocking store calls on one JVM-wide thread, so one key
 * whose renewal stalled stopped every other key's lease from being renewed; leases lapsed while
 * work still ran, and a retry took over.
 */
class LeaseRenewalIsolationTest {
  private final Scope scope = Scope.of("alice", "POST /charges");
  private final Fingerprint request = Fingerprint.builder().add("body", "{}").build();

  @Test
  void oneStalledRenewalDoesNotStopOtherKeysLeasesFromBeingRenewed() throws Exception {
    StorageKey slowKey = scope.storageKey(IdempotencyKey.of("slow"));
    StallingStore store = new StallingStore(InMemoryIdempotencyStore.create(), slowKey);
    // One scheduler thread, as the shared default: it must only trigger, never wait on the store.
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      Idempotency<String> payments =
          Idempotency.builder((IdempotencyStore) store, ResultCodec.utf8())
              .policy(
                  IdempotencyPolicy.<String>builder()
                      .lease(Duration.ofSeconds(30))
                      .renewInterval(Duration.ofMillis(2))
                      .build())
              .renewalScheduler(scheduler)
              .build();

      try (Attempt<String> slow = payments.begin(scope, IdempotencyKey.of("slow"), request);
          Attempt<String> other = payments.begin(scope, IdempotencyKey.of("other"), request)) {
        assertTrue(store.slowRenewalStarted.await(30, TimeUnit.SECONDS), "slow key never renewed");

        assertTrue(
            store.otherRenewals.await(30, TimeUnit.SECONDS),
            "while one key's renewal stalls, another key's lease must still be renewed");
        assertEquals(
            1, store.slowRenewals.get(), "a stalled key's renewals do not pile up behind it");

        store.unstall.countDown();
        other.complete("done");
        slow.complete("done");
      }
    } finally {
      store.unstall.countDown();
      scheduler.shutdownNow();
    }
  }

  /** A real store whose renewals of one key block until {@link #unstall} opens. */
  private static final class StallingStore implements IdempotencyStore {
    final CountDownLatch slowRenewalStarted = new CountDownLatch(1);
    final CountDownLatch unstall = new CountDownLatch(1);
    final CountDownLatch otherRenewals = new CountDownLatch(5);
    final AtomicInteger slowRenewals = new AtomicInteger();
    private final IdempotencyStore store;
    private final StorageKey slowKey;

    StallingStore(IdempotencyStore store, StorageKey slowKey) {
      this.store = store;
      this.slowKey = slowKey;
    }

    @Override
    public UpdateResult renew(StorageKey key, long fence, Duration lease) {
      if (key.equals(slowKey)) {
        slowRenewals.incrementAndGet();
        slowRenewalStarted.countDown();
        try {
          unstall.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      } else {
        otherRenewals.countDown();
      }
      return store.renew(key, fence, lease);
    }

    @Override
    public ClaimResult claim(
        StorageKey key,
        Fingerprint fingerprint,
        Duration lease,
        Duration retention,
        ClaimToken token) {
      return store.claim(key, fingerprint, lease, retention, token);
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
