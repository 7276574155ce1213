package dev.idempo.client;

import dev.idempo.Sleeper;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When a client retries a failed call, and after how long: bounded attempts and total time, full
 * jitter exponential backoff, server-directed delays ({@code Retry-After}) honoured up to a cap,
 * and an optional {@link RetryBudget} shared across calls.
 *
 * <p>The delay before retry {@code n} (0 for the first retry) is uniform in {@code [0,
 * min(maxDelay, baseDelay·2^n)]}. A server-directed delay replaces it; one longer than {@code
 * maxServerDelay} ends the retries (waiting less than the server asked would only be refused
 * again).
 *
 * <p>Defaults: 3 attempts, base delay 100 ms, max delay 5 s, max total time 30 s, max server delay
 * 60 s, no budget, system clock, a thread-safe random source and {@link Sleeper#SYSTEM}. Built by
 * {@link #builder()}; immutable and thread-safe once built. Each logical call gets its own {@link
 * Call} from {@link #newCall()}.
 */
public final class RetryPolicy {
  private static final Duration MAX_DELAY_LIMIT = Duration.ofHours(1);
  private static final Duration MAX_TOTAL_TIME_LIMIT = Duration.ofDays(1);

  private final int maxAttempts;
  private final Duration baseDelay;
  private final Duration maxDelay;
  private final Duration maxTotalTime;
  private final Duration maxServerDelay;
  private final RetryBudget budget;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final Sleeper sleeper;

  private RetryPolicy(Builder builder) {
    if (builder.maxDelay.compareTo(builder.baseDelay) < 0) {
      throw new IllegalArgumentException(
          "maxDelay ("
              + builder.maxDelay
              + ") must not be shorter than baseDelay ("
              + builder.baseDelay
              + ")");
    }
    this.maxAttempts = builder.maxAttempts;
    this.baseDelay = builder.baseDelay;
    this.maxDelay = builder.maxDelay;
    this.maxTotalTime = builder.maxTotalTime;
    this.maxServerDelay = builder.maxServerDelay;
    this.budget = builder.budget;
    this.clock = builder.clock;
    this.random = builder.random;
    this.sleeper = builder.sleeper;
  }

  /** A policy with every default. */
  public static RetryPolicy defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this policy's settings. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.maxAttempts = maxAttempts;
    builder.baseDelay = baseDelay;
    builder.maxDelay = maxDelay;
    builder.maxTotalTime = maxTotalTime;
    builder.maxServerDelay = maxServerDelay;
    builder.budget = budget;
    builder.clock = clock;
    builder.random = random;
    builder.sleeper = sleeper;
    return builder;
  }

  /** Starts one logical call: records it with the budget and starts its clock. */
  public Call newCall() {
    if (budget != null) {
      budget.onCall();
    }
    return new Call();
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration baseDelay() {
    return baseDelay;
  }

  public Duration maxDelay() {
    return maxDelay;
  }

  public Duration maxTotalTime() {
    return maxTotalTime;
  }

  public Duration maxServerDelay() {
    return maxServerDelay;
  }

  public Optional<RetryBudget> budget() {
    return Optional.ofNullable(budget);
  }

  public Sleeper sleeper() {
    return sleeper;
  }

  public InstantSource clock() {
    return clock;
  }

  /** The jittered backoff before retry {@code retryIndex} (0 for the first retry). */
  Duration backoff(int retryIndex) {
    double ceiling =
        Math.min(
            (double) maxDelay.toNanos(),
            baseDelay.toNanos() * Math.pow(2, Math.min(retryIndex, 62)));
    return Duration.ofNanos((long) (random.nextDouble() * ceiling));
  }

  @Override
  public String toString() {
    return "RetryPolicy[maxAttempts="
        + maxAttempts
        + ", baseDelay="
        + baseDelay
        + ", maxDelay="
        + maxDelay
        + ", maxTotalTime="
        + maxTotalTime
        + ", maxServerDelay="
        + maxServerDelay
        + ", budget="
        + (budget != null)
        + "]";
  }

  /** Why a call stops retrying. */
  public enum GiveUpReason {
    MAX_ATTEMPTS,
    MAX_TOTAL_TIME,
    SERVER_DELAY_TOO_LONG,
    BUDGET_EXHAUSTED
  }

  /** The answer to "retry?": either a delay, or a reason to give up. Immutable. */
  public static final class Decision {
    private final Duration delay;
    private final GiveUpReason reason;

    private Decision(Duration delay, GiveUpReason reason) {
      this.delay = delay;
      this.reason = reason;
    }

    public boolean shouldRetry() {
      return delay != null;
    }

    /** The delay before the next attempt. @throws IllegalStateException when giving up */
    public Duration delay() {
      if (delay == null) {
        throw new IllegalStateException("no retry: " + reason);
      }
      return delay;
    }

    /** Why the call gives up. @throws IllegalStateException when retrying */
    public GiveUpReason reason() {
      if (reason == null) {
        throw new IllegalStateException("retrying after " + delay);
      }
      return reason;
    }

    @Override
    public String toString() {
      return delay != null ? "retry after " + delay : "give up: " + reason;
    }
  }

  /**
   * One logical call's retry state: how many attempts were made and since when. Not thread-safe:
   * one per call.
   */
  public final class Call {
    private final long startNanos;
    private int attempts = 1;

    private Call() {
      this.startNanos = nanos();
    }

    /** Attempts made so far, counting the one in progress (1 before any retry). */
    public int attempts() {
      return attempts;
    }

    /**
     * The attempt in progress failed in a retryable way: decides whether to retry, and after how
     * long. A retry counts as the next attempt and withdraws a token from the budget.
     *
     * @param serverDelay the delay the server asked for (Retry-After), or null
     * @throws IllegalArgumentException if {@code serverDelay} is negative
     */
    public Decision onRetryableFailure(Duration serverDelay) {
      if (serverDelay != null && serverDelay.isNegative()) {
        throw new IllegalArgumentException("serverDelay must not be negative, was " + serverDelay);
      }
      if (attempts >= maxAttempts) {
        return new Decision(null, GiveUpReason.MAX_ATTEMPTS);
      }
      Duration delay;
      if (serverDelay != null) {
        if (serverDelay.compareTo(maxServerDelay) > 0) {
          return new Decision(null, GiveUpReason.SERVER_DELAY_TOO_LONG);
        }
        delay = serverDelay;
      } else {
        delay = backoff(attempts - 1);
      }
      long elapsed = nanos() - startNanos;
      if (elapsed + delay.toNanos() > maxTotalTime.toNanos()) {
        return new Decision(null, GiveUpReason.MAX_TOTAL_TIME);
      }
      if (budget != null && !budget.tryAcquireRetry()) {
        return new Decision(null, GiveUpReason.BUDGET_EXHAUSTED);
      }
      attempts++;
      return new Decision(delay, null);
    }

    /** Waits with the policy's sleeper. */
    public void sleep(Duration delay) throws InterruptedException {
      sleeper.sleep(delay);
    }

    private long nanos() {
      java.time.Instant now = clock.instant();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
  }

  /** Configures a {@link RetryPolicy}; each setter rejects bad values at once. Not thread-safe. */
  public static final class Builder {
    private int maxAttempts = 3;
    private Duration baseDelay = Duration.ofMillis(100);
    private Duration maxDelay = Duration.ofSeconds(5);
    private Duration maxTotalTime = Duration.ofSeconds(30);
    private Duration maxServerDelay = Duration.ofSeconds(60);
    private RetryBudget budget;
    private InstantSource clock = InstantSource.system();
    private RandomGenerator random = new java.util.Random();
    private Sleeper sleeper = Sleeper.SYSTEM;

    private Builder() {}

    /** Attempts in all, the first included: 1 (never retry) to 100. */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = Checks.inRange(maxAttempts, 1, 100, "maxAttempts");
      return this;
    }

    /** The backoff base: positive, at most 1 hour. */
    public Builder baseDelay(Duration baseDelay) {
      this.baseDelay = Checks.positiveAtMost(baseDelay, MAX_DELAY_LIMIT, "baseDelay");
      return this;
    }

    /**
     * The backoff cap: positive, at most 1 hour, not shorter than the base ({@link #build()}
     * checks).
     */
    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = Checks.positiveAtMost(maxDelay, MAX_DELAY_LIMIT, "maxDelay");
      return this;
    }

    /**
     * No retry starts once this much time has passed since the first attempt: positive, at most 1
     * day.
     */
    public Builder maxTotalTime(Duration maxTotalTime) {
      this.maxTotalTime = Checks.positiveAtMost(maxTotalTime, MAX_TOTAL_TIME_LIMIT, "maxTotalTime");
      return this;
    }

    /**
     * The longest server-directed delay honoured: zero to 1 hour; a longer one ends the retries.
     */
    public Builder maxServerDelay(Duration maxServerDelay) {
      this.maxServerDelay =
          Checks.notNegativeAtMost(maxServerDelay, MAX_DELAY_LIMIT, "maxServerDelay");
      return this;
    }

    /** A budget shared with other policies and calls. */
    public Builder budget(RetryBudget budget) {
      this.budget = Checks.notNull(budget, "budget");
      return this;
    }

    public Builder clock(InstantSource clock) {
      this.clock = Checks.notNull(clock, "clock");
      return this;
    }

    /** The random source for jitter; must be thread-safe if the policy is shared. */
    public Builder random(RandomGenerator random) {
      this.random = Checks.notNull(random, "random");
      return this;
    }

    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Checks.notNull(sleeper, "sleeper");
      return this;
    }

    /**
     * The policy as configured so far; later changes to this builder do not affect it.
     *
     * @throws IllegalArgumentException if maxDelay is shorter than baseDelay
     */
    public RetryPolicy build() {
      return new RetryPolicy(this);
    }
  }
}
