package dev.idempo;

import dev.idempo.internal.Checks;
import dev.idempo.store.StoreLimits;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * How {@link Idempotency} runs guarded work: lease, retention, lease renewal, what happens on a
 * takeover, which outcomes are stored and which released, and how long to wait for a concurrent
 * duplicate. Built by {@link #builder()}; immutable and thread-safe once built.
 *
 * <p>Defaults: lease 30 s, retention 24 h, renewal every lease/3, {@link
 * TakeoverPolicy#FAIL_CLOSED}, every result and every failure stored (an answer given after the
 * work began is an answer), no waiting for an in-flight duplicate.
 */
public final class IdempotencyPolicy<R> {
  /** The default lease. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

  /** The default retention. */
  public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);

  /** The longest wait for an in-flight duplicate. */
  public static final Duration MAX_WAIT_FOR_IN_FLIGHT = Duration.ofMinutes(10);

  /**
   * The shortest lease a policy accepts: 3 ms, so the default renewal interval (lease/3) is at
   * least the 1 ms the renewal scheduler can express. A shorter lease would never be renewed.
   */
  public static final Duration MIN_LEASE = Duration.ofMillis(3);

  private final Duration lease;
  private final Duration retention;
  private final Duration renewInterval;
  private final TakeoverPolicy takeover;
  private final Predicate<? super R> releaseResultIf;
  private final Predicate<? super Throwable> releaseFailureIf;
  private final Duration waitForInFlight;

  private IdempotencyPolicy(Builder<R> builder) {
    this.lease = builder.lease;
    this.retention = builder.retention;
    this.renewInterval =
        builder.renewInterval != null ? builder.renewInterval : builder.lease.dividedBy(3);
    if (renewInterval.compareTo(lease) >= 0) {
      throw new IllegalArgumentException(
          "renewInterval must be shorter than the lease (" + lease + "), was " + renewInterval);
    }
    if (!renewInterval.isZero() && renewInterval.toMillis() == 0) {
      // Renewals are scheduled in whole milliseconds: a shorter interval would turn them off.
      throw new IllegalArgumentException(
          "renewInterval must be zero (no renewal) or at least 1 ms, was " + renewInterval);
    }
    this.takeover = builder.takeover;
    this.releaseResultIf = builder.releaseResultIf;
    this.releaseFailureIf = builder.releaseFailureIf;
    this.waitForInFlight = builder.waitForInFlight;
  }

  /**
   * Checks a lease for a policy: within the store's limits ({@link StoreLimits#checkLease}) and at
   * least {@link #MIN_LEASE}, so it can be renewed. For configuration edges (flags, properties)
   * that take a lease before they build a policy, so they refuse it the same way.
   *
   * @return {@code lease}
   * @throws NullPointerException if {@code lease} is null
   * @throws IllegalArgumentException naming the lease if it is out of range or too short to renew
   */
  public static Duration checkLease(Duration lease) {
    StoreLimits.checkLease(lease);
    if (lease.compareTo(MIN_LEASE) < 0) {
      throw new IllegalArgumentException(
          "lease must be at least "
              + MIN_LEASE
              + " so it can be renewed (it is renewed every lease/3, in whole milliseconds), was "
              + lease);
    }
    return lease;
  }

  /** A policy with every default. */
  public static <R> IdempotencyPolicy<R> defaults() {
    return new Builder<R>().build();
  }

  public static <R> Builder<R> builder() {
    return new Builder<>();
  }

  /** A builder starting from this policy's settings. */
  public Builder<R> toBuilder() {
    Builder<R> builder = new Builder<>();
    builder.lease = lease;
    builder.retention = retention;
    builder.renewInterval = renewInterval;
    builder.takeover = takeover;
    builder.releaseResultIf = releaseResultIf;
    builder.releaseFailureIf = releaseFailureIf;
    builder.waitForInFlight = waitForInFlight;
    return builder;
  }

  public Duration lease() {
    return lease;
  }

  public Duration retention() {
    return retention;
  }

  /** How often a running claim's lease is renewed; zero means never. */
  public Duration renewInterval() {
    return renewInterval;
  }

  public TakeoverPolicy takeover() {
    return takeover;
  }

  public Duration waitForInFlight() {
    return waitForInFlight;
  }

  /** True when {@code result} is released (not stored), so a retry runs the work again. */
  public boolean releases(R result) {
    return releaseResultIf.test(result);
  }

  /** True when {@code failure} is released (not stored), so a retry runs the work again. */
  public boolean releases(Throwable failure) {
    return releaseFailureIf.test(failure);
  }

  @Override
  public String toString() {
    return "IdempotencyPolicy[lease="
        + lease
        + ", retention="
        + retention
        + ", renewInterval="
        + renewInterval
        + ", takeover="
        + takeover
        + ", waitForInFlight="
        + waitForInFlight
        + "]";
  }

  /**
   * Configures an {@link IdempotencyPolicy}; each setter rejects bad values at once. Not
   * thread-safe.
   */
  public static final class Builder<R> {
    private Duration lease = DEFAULT_LEASE;
    private Duration retention = DEFAULT_RETENTION;
    private Duration renewInterval;
    private TakeoverPolicy takeover = TakeoverPolicy.FAIL_CLOSED;
    private Predicate<? super R> releaseResultIf = result -> false;
    private Predicate<? super Throwable> releaseFailureIf = failure -> false;
    private Duration waitForInFlight = Duration.ZERO;

    private Builder() {}

    /**
     * How long a claim is protected before another caller may take it over; {@link #MIN_LEASE} (3
     * ms) to 1 day.
     *
     * @throws IllegalArgumentException naming the lease if it is out of range or too short to renew
     *     (see {@link IdempotencyPolicy#checkLease})
     */
    public Builder<R> lease(Duration lease) {
      this.lease = checkLease(lease);
      return this;
    }

    /** How long a completed outcome is kept and replayed; 1 ms to 400 days. */
    public Builder<R> retention(Duration retention) {
      this.retention = StoreLimits.checkRetention(retention);
      return this;
    }

    /**
     * How often the lease of running work is renewed; zero turns renewal off, otherwise at least 1
     * ms. Must be shorter than the lease ({@link #build()} checks); lease/3 by default.
     */
    public Builder<R> renewInterval(Duration renewInterval) {
      this.renewInterval = Checks.notNegative(renewInterval, "renewInterval");
      return this;
    }

    public Builder<R> takeover(TakeoverPolicy takeover) {
      this.takeover = Checks.notNull(takeover, "takeover");
      return this;
    }

    /** Results matching this are released instead of stored (say, "try again later" answers). */
    public Builder<R> releaseResultsIf(Predicate<? super R> predicate) {
      this.releaseResultIf = Checks.notNull(predicate, "predicate");
      return this;
    }

    /**
     * Failures matching this are released instead of stored: use it for failures known to have
     * happened before any effect (a refused connection, a validation error).
     */
    public Builder<R> releaseFailuresIf(Predicate<? super Throwable> predicate) {
      this.releaseFailureIf = Checks.notNull(predicate, "predicate");
      return this;
    }

    /**
     * How long to wait for a concurrent duplicate to finish, then replay its outcome, before
     * answering {@link KeyInFlightException}; zero (the default) answers at once. At most 10
     * minutes.
     */
    public Builder<R> waitForInFlight(Duration waitForInFlight) {
      Checks.notNegative(waitForInFlight, "waitForInFlight");
      this.waitForInFlight =
          Checks.atMost(waitForInFlight, MAX_WAIT_FOR_IN_FLIGHT, "waitForInFlight");
      return this;
    }

    /**
     * Builds the policy.
     *
     * @throws IllegalArgumentException if the renew interval is not shorter than the lease, or is
     *     neither zero nor at least 1 ms
     */
    public IdempotencyPolicy<R> build() {
      return new IdempotencyPolicy<>(this);
    }
  }
}
