package dev.idempo.store;

import java.time.Duration;
import java.util.Optional;

/**
 * The one answer of {@link IdempotencyStore#claim}: exactly one of {@link Acquired}, {@link
 * Replay}, {@link InFlight} or {@link Mismatch}.
 */
public sealed interface ClaimResult
    permits ClaimResult.Acquired, ClaimResult.Replay, ClaimResult.InFlight, ClaimResult.Mismatch {

  /**
   * The caller now holds the key and must run the operation, then complete or release it with
   * {@code fence}.
   *
   * @param fence the new fence; greater than every fence the store issued for this key before
   * @param takeover true if an IN_PROGRESS record whose lease had run out was taken over: an
   *     earlier holder may have run part or all of the operation
   * @param recoveryPoint on a takeover, the last recovery point the earlier holder saved
   */
  record Acquired(long fence, boolean takeover, Optional<RecoveryPoint> recoveryPoint)
      implements ClaimResult {
    public Acquired {
      if (fence <= 0) {
        throw new IllegalArgumentException("fence must be positive, was " + fence);
      }
      if (recoveryPoint == null) {
        throw new NullPointerException("recoveryPoint must not be null (use Optional.empty())");
      }
    }

    /** A fresh claim: no earlier holder. */
    public static Acquired fresh(long fence) {
      return new Acquired(fence, false, Optional.empty());
    }
  }

  /** The operation completed before with the same fingerprint; here is its stored response. */
  record Replay(StoredResponse response) implements ClaimResult {
    public Replay {
      if (response == null) {
        throw new NullPointerException("response must not be null");
      }
    }
  }

  /**
   * Another caller holds the key with the same fingerprint and its lease is alive.
   *
   * @param retryAfter how long the current lease still runs; never negative
   */
  record InFlight(Duration retryAfter) implements ClaimResult {
    public InFlight {
      if (retryAfter == null || retryAfter.isNegative()) {
        throw new IllegalArgumentException(
            "retryAfter must be zero or positive, was " + retryAfter);
      }
    }
  }

  /** A live record for this key has another fingerprint (in either state). */
  record Mismatch() implements ClaimResult {}
}
