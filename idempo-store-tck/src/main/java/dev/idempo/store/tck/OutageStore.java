package dev.idempo.store.tck;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.ClaimToken;
import dev.idempo.store.IdempotencyRecord;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real store (the in-memory one) behind a switch that simulates an outage: while down, every call
 * throws {@link StoreUnavailableException} as a store whose server is unreachable does; with {@link
 * #loseReplies} calls take effect and then throw, as when a reply is lost. It also counts the calls
 * that reached it. For adapters' tests: "the store is down" must never mean "run the work
 * unprotected". Thread-safe.
 */
public final class OutageStore implements IdempotencyStore {
  private final IdempotencyStore store;
  private final AtomicInteger calls = new AtomicInteger();
  private volatile boolean down;
  private volatile boolean loseReplies;
  private volatile boolean malfunctioning;
  private volatile boolean corruptReplays;

  public OutageStore(IdempotencyStore store) {
    this.store = store;
  }

  public void down(boolean down) {
    this.down = down;
  }

  public int calls() {
    return calls.get();
  }

  /**
   * While on, every call (but {@link #find}) reaches the store and takes effect, then throws {@link
   * StoreUnavailableException} as if its reply had been lost: a client timeout while the server was
   * slow, a connection dropped after the command was sent.
   */
  public void loseReplies(boolean loseReplies) {
    this.loseReplies = loseReplies;
  }

  /**
   * While on, every call (but {@link #find}) throws an {@link IllegalStateException} without
   * reaching the store: a bug in the store or its binding, which an adapter must not report as an
   * outage or as an unreadable record.
   */
  public void malfunction(boolean malfunctioning) {
    this.malfunctioning = malfunctioning;
  }

  /**
   * While on, a claim the store answers with a replay hands back bytes no codec can read, as a
   * record corrupted at rest would; the record itself stays intact.
   */
  public void corruptReplays(boolean corruptReplays) {
    this.corruptReplays = corruptReplays;
  }

  private <T> T answer(T reply) {
    if (loseReplies) {
      throw new StoreUnavailableException(
          "store reply lost (simulated timeout)", new SocketTimeoutException("Read timed out"));
    }
    return reply;
  }

  private void reach() {
    calls.incrementAndGet();
    if (malfunctioning) {
      throw new IllegalStateException("store answered outside its contract (simulated bug)");
    }
    if (down) {
      throw new StoreUnavailableException(
          "store is down (simulated outage)", new ConnectException("Connection refused"));
    }
  }

  @Override
  public ClaimResult claim(
      StorageKey key,
      Fingerprint fingerprint,
      Duration lease,
      Duration retention,
      ClaimToken token) {
    reach();
    ClaimResult result = answer(store.claim(key, fingerprint, lease, retention, token));
    if (corruptReplays && result instanceof ClaimResult.Replay) {
      return new ClaimResult.Replay(
          StoredResponse.of("\u0000not a stored response".getBytes(StandardCharsets.UTF_8)));
    }
    return result;
  }

  @Override
  public UpdateResult abandon(StorageKey key, ClaimToken token) {
    reach();
    return answer(store.abandon(key, token));
  }

  @Override
  public UpdateResult complete(StorageKey key, long fence, StoredResponse response) {
    reach();
    return answer(store.complete(key, fence, response));
  }

  @Override
  public UpdateResult release(StorageKey key, long fence) {
    reach();
    return answer(store.release(key, fence));
  }

  @Override
  public UpdateResult renew(StorageKey key, long fence, Duration lease) {
    reach();
    return answer(store.renew(key, fence, lease));
  }

  @Override
  public UpdateResult checkpoint(StorageKey key, long fence, RecoveryPoint point) {
    reach();
    return answer(store.checkpoint(key, fence, point));
  }

  @Override
  public Optional<IdempotencyRecord> find(StorageKey key) {
    return store.find(key);
  }

  @Override
  public int purgeExpired(int limit) {
    reach();
    return answer(store.purgeExpired(limit));
  }
}
