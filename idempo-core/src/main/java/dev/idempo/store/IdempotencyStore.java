package dev.idempo.store;

import dev.idempo.Fingerprint;
import java.time.Duration;
import java.util.Optional;

/**
 * Where idempotency records live: the store SPI. Every implementation passes the one contract
 * suite, {@code idempo-store-tck}.
 *
 * <h2>Atomicity</h2>
 *
 * Each method is ONE atomic step in the store (an {@code INSERT … ON CONFLICT}, a Lua script, a
 * conditional write); no method is a check followed by a separate set. {@link #claim} answers
 * exactly one of {@link ClaimResult.Acquired}, {@link ClaimResult.Replay}, {@link
 * ClaimResult.InFlight} or {@link ClaimResult.Mismatch}; any number of concurrent claims of an
 * absent key produce exactly one {@code Acquired}.
 *
 * <h2>Fencing</h2>
 *
 * Every successful claim issues a fence greater than every fence the store issued for the same key
 * before, also across release and expiry, so an old holder can never mistake a later claim for its
 * own. {@link #complete}, {@link #release}, {@link #renew} and {@link #checkpoint} take effect only
 * for the current fence of an IN_PROGRESS record and otherwise answer {@link
 * UpdateResult#FENCE_LOST} and change nothing. {@link #abandon} is fenced by the {@link ClaimToken}
 * instead: the token of the claim that created or last took over the record, which a takeover
 * replaces, so it too never touches a later holder's claim.
 *
 * <h2>Time</h2>
 *
 * A store trusts exactly one clock for leases and expiry: the server's for stores with a server
 * (Redis, SQL databases), an injected {@link java.time.InstantSource} for in-process stores. A
 * record is live until its expiry: for an IN_PROGRESS record the later of its lease end and claim
 * time plus retention; for a COMPLETED record completion time plus retention. A record past its
 * expiry behaves as absent, whether or not it has been purged yet.
 *
 * <h2>Threads and failures</h2>
 *
 * Implementations are thread-safe. A store that cannot reach its backing storage throws {@link
 * StoreUnavailableException} carrying the cause; it never answers as if the key were absent. The
 * effect of a call that threw it is unknown: a claim may have created a record whose holder never
 * learned its fence. Such a claim is undone with {@link #abandon} and its token, which is why every
 * claim carries one. Arguments are checked as in {@link StoreLimits}.
 */
public interface IdempotencyStore extends AutoCloseable {

  /**
   * Claims {@code key} for the request with {@code fingerprint}, atomically.
   *
   * <ul>
   *   <li>no live record: creates an IN_PROGRESS record, answers {@code Acquired(fence,
   *       takeover=false)};
   *   <li>IN_PROGRESS, another fingerprint, or COMPLETED, another fingerprint: {@code Mismatch};
   *   <li>IN_PROGRESS, same fingerprint, lease alive: {@code InFlight(remaining lease)};
   *   <li>IN_PROGRESS, same fingerprint, lease over: takes it over with a higher fence, a new lease
   *       and retention from now, keeping the recovery point: {@code Acquired(fence, takeover=true,
   *       recoveryPoint)};
   *   <li>COMPLETED, same fingerprint: {@code Replay(stored response)}.
   * </ul>
   *
   * @param lease how long the claim is protected; {@link StoreLimits#MIN_LEASE} to {@link
   *     StoreLimits#MAX_LEASE}
   * @param retention how long the record stays live, counted from the claim while IN_PROGRESS and
   *     from completion once COMPLETED; {@link StoreLimits#MIN_RETENTION} to {@link
   *     StoreLimits#MAX_RETENTION}
   *     <p>The record created or taken over carries {@code token} until the next takeover, for
   *     {@link #abandon}. Costs what a claim without a token costs (no extra round trip).
   * @param token this call's own token ({@link ClaimToken#random()}), never reused for another
   *     claim
   * @throws StoreUnavailableException if the store cannot answer; the claim may have taken effect
   * @throws StoreCapacityExceededException if a bounded store cannot take a new record; nothing was
   *     claimed
   */
  ClaimResult claim(
      StorageKey key,
      Fingerprint fingerprint,
      Duration lease,
      Duration retention,
      ClaimToken token);

  /**
   * {@link #claim(StorageKey, Fingerprint, Duration, Duration, ClaimToken)} with a new random
   * token, for callers that never abandon a claim whose answer was lost.
   */
  default ClaimResult claim(
      StorageKey key, Fingerprint fingerprint, Duration lease, Duration retention) {
    return claim(key, fingerprint, lease, retention, ClaimToken.random());
  }

  /**
   * Removes the live IN_PROGRESS record of {@code key} if it carries {@code token}, that is if the
   * claim made with that token created or took it over and nobody took it over since: for a claim
   * whose answer was lost, so nothing was run, and a retry may run. Otherwise answers {@link
   * UpdateResult#FENCE_LOST} and changes nothing (the claim never took effect, was already
   * abandoned, completed, released or taken over). One atomic step, like {@link #release}.
   *
   * @throws StoreUnavailableException if the store cannot answer
   */
  UpdateResult abandon(StorageKey key, ClaimToken token);

  /**
   * Stores {@code response} and moves the record to COMPLETED, if {@code fence} is current; its
   * retention starts now.
   *
   * @throws StoreUnavailableException if the store cannot answer
   */
  UpdateResult complete(StorageKey key, long fence, StoredResponse response);

  /**
   * Removes the IN_PROGRESS record, if {@code fence} is current, so a retry may run: for outcomes
   * known NOT to have taken effect.
   *
   * @throws StoreUnavailableException if the store cannot answer
   */
  UpdateResult release(StorageKey key, long fence);

  /**
   * Extends the lease to {@code lease} from now, if {@code fence} is current (and the record's
   * expiry to at least the new lease end).
   *
   * @throws StoreUnavailableException if the store cannot answer
   */
  UpdateResult renew(StorageKey key, long fence, Duration lease);

  /**
   * Saves {@code point} on the IN_PROGRESS record, replacing the previous one, if {@code fence} is
   * current.
   *
   * @throws StoreUnavailableException if the store cannot answer
   */
  UpdateResult checkpoint(StorageKey key, long fence, RecoveryPoint point);

  /**
   * Reads the live record for {@code key}, if any: a snapshot for inspection and tests, which may
   * be stale by the time it returns. Decisions go through {@link #claim}.
   *
   * @throws StoreUnavailableException if the store cannot answer
   */
  Optional<IdempotencyRecord> find(StorageKey key);

  /**
   * Deletes up to {@code limit} expired records and answers how many it deleted. Stores call this
   * in small batches so it never holds long locks; expired records behave as absent before it runs.
   *
   * @param limit 1 to 100,000
   * @throws StoreUnavailableException if the store cannot answer
   */
  int purgeExpired(int limit);

  /** Releases the store's resources (connections it opened itself). Idempotent. */
  @Override
  default void close() {}
}
