package dev.idempo.store.tck;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.ClaimToken;
import dev.idempo.store.IdempotencyRecord;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A store that forwards every call, {@link #close()} included, to a real store: a test double
 * extends it and overrides only the calls it changes (counts, stalls, fails, tampers with), so it
 * stays a real store in everything else and a new SPI method needs forwarding in one place. The
 * claim without a token is not overridden: it reaches {@link #claim(StorageKey, Fingerprint,
 * Duration, Duration, ClaimToken)} as on any store.
 *
 * <p>Thread-safe if the delegate is and the subclass's own state is.
 */
public abstract class ForwardingStore implements IdempotencyStore {
  private final IdempotencyStore delegate;

  /**
   * Forwards to {@code delegate}.
   *
   * @throws NullPointerException if {@code delegate} is null
   */
  protected ForwardingStore(IdempotencyStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
  }

  /** The store every call is forwarded to. */
  protected final IdempotencyStore delegate() {
    return delegate;
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
    return delegate.renew(key, fence, lease);
  }

  @Override
  public UpdateResult checkpoint(StorageKey key, long fence, RecoveryPoint point) {
    return delegate.checkpoint(key, fence, point);
  }

  @Override
  public Optional<IdempotencyRecord> find(StorageKey key) {
    return delegate.find(key);
  }

  @Override
  public int purgeExpired(int limit) {
    return delegate.purgeExpired(limit);
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + delegate + "]";
  }
}
