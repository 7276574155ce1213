package dev.idempo.gateway;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.ClaimToken;
import dev.idempo.store.IdempotencyRecord;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import dev.idempo.store.tck.ForwardingStore;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** The real in-memory store, counting the calls made to it (a decorator, not a mock). */
final class CountingStore extends ForwardingStore {
  private final AtomicInteger calls = new AtomicInteger();

  CountingStore() {
    this(InMemoryIdempotencyStore.create());
  }

  CountingStore(IdempotencyStore store) {
    super(store);
  }

  int calls() {
    return calls.get();
  }

  @Override
  public ClaimResult claim(
      StorageKey key,
      Fingerprint fingerprint,
      Duration lease,
      Duration retention,
      ClaimToken token) {
    calls.incrementAndGet();
    return super.claim(key, fingerprint, lease, retention, token);
  }

  @Override
  public UpdateResult abandon(StorageKey key, ClaimToken token) {
    calls.incrementAndGet();
    return super.abandon(key, token);
  }

  @Override
  public UpdateResult complete(StorageKey key, long fence, StoredResponse response) {
    calls.incrementAndGet();
    return super.complete(key, fence, response);
  }

  @Override
  public UpdateResult release(StorageKey key, long fence) {
    calls.incrementAndGet();
    return super.release(key, fence);
  }

  @Override
  public UpdateResult renew(StorageKey key, long fence, Duration lease) {
    calls.incrementAndGet();
    return super.renew(key, fence, lease);
  }

  @Override
  public UpdateResult checkpoint(StorageKey key, long fence, RecoveryPoint point) {
    calls.incrementAndGet();
    return super.checkpoint(key, fence, point);
  }

  @Override
  public Optional<IdempotencyRecord> find(StorageKey key) {
    calls.incrementAndGet();
    return super.find(key);
  }
}
