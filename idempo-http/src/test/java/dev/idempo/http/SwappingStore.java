package dev.idempo.http;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.ClaimToken;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import dev.idempo.store.tck.ForwardingStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real store (the in-memory one) whose stored bytes someone with write access tampered with: a
 * replay of one key is answered with the bytes stored for another. Thread-safe.
 */
final class SwappingStore extends ForwardingStore {
  private final Map<StorageKey, StoredResponse> written = new ConcurrentHashMap<>();
  private final Map<StorageKey, StorageKey> swaps = new ConcurrentHashMap<>();

  SwappingStore(IdempotencyStore store) {
    super(store);
  }

  /** From now on, a replay of {@code replayed} returns the bytes stored for {@code source}. */
  void serve(StorageKey replayed, StorageKey source) {
    swaps.put(replayed, source);
  }

  @Override
  public ClaimResult claim(
      StorageKey key,
      Fingerprint fingerprint,
      Duration lease,
      Duration retention,
      ClaimToken token) {
    ClaimResult result = super.claim(key, fingerprint, lease, retention, token);
    StorageKey source = swaps.get(key);
    if (result instanceof ClaimResult.Replay && source != null) {
      return new ClaimResult.Replay(written.get(source));
    }
    return result;
  }

  @Override
  public UpdateResult complete(StorageKey key, long fence, StoredResponse response) {
    written.put(key, response);
    return super.complete(key, fence, response);
  }
}
