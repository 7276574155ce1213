package dev.idempo.store;

import dev.idempo.internal.Checks;
import java.time.Duration;

/**
 * The argument limits every {@link IdempotencyStore} enforces, so all stores reject the same bad
 * input with the same message. Store implementations call these before touching storage.
 */
public final class StoreLimits {
  /** The shortest lease: one millisecond. */
  public static final Duration MIN_LEASE = Duration.ofMillis(1);

  /** The longest lease: one day. */
  public static final Duration MAX_LEASE = Duration.ofDays(1);

  /** The shortest retention: one millisecond. */
  public static final Duration MIN_RETENTION = Duration.ofMillis(1);

  /** The longest retention: 400 days. */
  public static final Duration MAX_RETENTION = Duration.ofDays(400);

  private StoreLimits() {}

  /** Checks the arguments of {@link IdempotencyStore#claim}. */
  public static void checkClaim(
      StorageKey key,
      dev.idempo.Fingerprint fingerprint,
      Duration lease,
      Duration retention,
      ClaimToken token) {
    Checks.notNull(key, "key");
    Checks.notNull(fingerprint, "fingerprint");
    checkLease(lease);
    checkRetention(retention);
    Checks.notNull(token, "token");
  }

  /** Checks the arguments of {@link IdempotencyStore#abandon}. */
  public static void checkAbandon(StorageKey key, ClaimToken token) {
    Checks.notNull(key, "key");
    Checks.notNull(token, "token");
  }

  /** Checks a retention: {@link #MIN_RETENTION} to {@link #MAX_RETENTION}. */
  public static Duration checkRetention(Duration retention) {
    Checks.notNull(retention, "retention");
    if (retention.compareTo(MIN_RETENTION) < 0 || retention.compareTo(MAX_RETENTION) > 0) {
      throw new IllegalArgumentException(
          "retention must be between "
              + MIN_RETENTION
              + " and "
              + MAX_RETENTION
              + ", was "
              + retention);
    }
    return retention;
  }

  /** Checks a lease. */
  public static void checkLease(Duration lease) {
    Checks.notNull(lease, "lease");
    if (lease.compareTo(MIN_LEASE) < 0 || lease.compareTo(MAX_LEASE) > 0) {
      throw new IllegalArgumentException(
          "lease must be between " + MIN_LEASE + " and " + MAX_LEASE + ", was " + lease);
    }
  }

  /** Checks the key and fence of a fenced update. */
  public static void checkFenced(StorageKey key, long fence) {
    Checks.notNull(key, "key");
    if (fence <= 0) {
      throw new IllegalArgumentException("fence must be positive, was " + fence);
    }
  }

  /** Checks the {@code limit} of {@link IdempotencyStore#purgeExpired}. */
  public static void checkPurgeLimit(int limit) {
    Checks.inRange(limit, 1, 100_000, "limit");
  }
}
