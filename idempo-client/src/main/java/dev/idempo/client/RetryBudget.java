package dev.idempo.client;

import java.time.InstantSource;

/**
 * A token bucket shared by many calls so that an outage does not multiply load: every logical call
 * deposits {@code ratio} tokens, every retry withdraws one, and a floor of {@code
 * minRetriesPerSecond} tokens flows in with time so a quiet client can still retry. Retries thus
 * stay near {@code ratio} of requests plus the floor. The bucket holds at most {@code maxTokens}
 * and starts full.
 *
 * <p>Defaults: ratio 0.1, 1 retry per second floor, 10 tokens. Thread-safe.
 */
public final class RetryBudget {
  private final double ratio;
  private final double minRetriesPerSecond;
  private final double maxTokens;
  private final InstantSource clock;
  private double tokens;
  private long refilledAtNanos;

  private RetryBudget(Builder builder) {
    this.ratio = builder.ratio;
    this.minRetriesPerSecond = builder.minRetriesPerSecond;
    this.maxTokens = builder.maxTokens;
    this.clock = builder.clock;
    this.tokens = maxTokens;
    this.refilledAtNanos = nanos();
  }

  /** A budget with the defaults. */
  public static RetryBudget create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Records one logical call: deposits {@code ratio} tokens. */
  public synchronized void onCall() {
    refill();
    tokens = Math.min(maxTokens, tokens + ratio);
  }

  /** Withdraws one token for a retry; false, and nothing withdrawn, when the budget is spent. */
  public synchronized boolean tryAcquireRetry() {
    refill();
    if (tokens < 1.0) {
      return false;
    }
    tokens -= 1.0;
    return true;
  }

  /** The tokens available now. */
  public synchronized double available() {
    refill();
    return tokens;
  }

  private void refill() {
    long now = nanos();
    long elapsed = now - refilledAtNanos;
    if (elapsed > 0) {
      tokens = Math.min(maxTokens, tokens + minRetriesPerSecond * elapsed / 1e9);
      refilledAtNanos = now;
    }
  }

  private long nanos() {
    java.time.Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /** Configures a {@link RetryBudget}; each setter rejects bad values at once. Not thread-safe. */
  public static final class Builder {
    private double ratio = 0.1;
    private double minRetriesPerSecond = 1;
    private double maxTokens = 10;
    private InstantSource clock = InstantSource.system();

    private Builder() {}

    /** Tokens each call deposits, 0 to 1: the share of calls that may be retried. */
    public Builder ratio(double ratio) {
      this.ratio = Checks.inRange(ratio, 0.0, 1.0, "ratio");
      return this;
    }

    /** Tokens flowing in per second whatever the traffic, 0 to 1,000,000. */
    public Builder minRetriesPerSecond(double minRetriesPerSecond) {
      this.minRetriesPerSecond =
          Checks.inRange(minRetriesPerSecond, 0.0, 1_000_000.0, "minRetriesPerSecond");
      return this;
    }

    /** The most tokens the bucket holds (its burst), 1 to 1,000,000. */
    public Builder maxTokens(double maxTokens) {
      this.maxTokens = Checks.inRange(maxTokens, 1.0, 1_000_000.0, "maxTokens");
      return this;
    }

    public Builder clock(InstantSource clock) {
      this.clock = Checks.notNull(clock, "clock");
      return this;
    }

    public RetryBudget build() {
      return new RetryBudget(this);
    }
  }
}
