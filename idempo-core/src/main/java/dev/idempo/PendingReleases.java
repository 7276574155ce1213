package dev.idempo;

import dev.idempo.store.ClaimToken;
import dev.idempo.store.StorageKey;
import dev.idempo.store.UpdateResult;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Gives keys back that were claimed for work that never ran, when the store could not be told at
 * the time: a claim whose answer was lost (abandoned by its {@link ClaimToken}) and a release that
 * failed (retried by fence). Without this, such a key stays IN_PROGRESS and a retry first waits out
 * the lease, then takes it over as an unknown outcome although nothing was run.
 *
 * <p>Each pending release is retried in the background with exponential backoff ({@value
 * #FIRST_DELAY_MILLIS} ms doubling up to {@value #MAX_DELAY_MILLIS} ms) until the store answers at
 * all (applied, or nothing to release: either way the key is no longer held for this work) or its
 * deadline passes: the lease plus {@link #WINDOW}. At most {@value #MAX_PENDING} are pending per
 * executor; beyond that, and past the deadline, the key falls back to fail-closed (a retry after
 * the lease is a takeover). Pending releases live in this process only: if it dies during the
 * outage they are lost, with the same fail-closed fallback.
 *
 * <p>The scheduler only triggers; the store calls run on the store-call executor. Thread-safe.
 */
final class PendingReleases {
  /** How long after the lease a pending release keeps trying. */
  static final Duration WINDOW = Duration.ofMinutes(5);

  static final int MAX_PENDING = 10_000;
  static final long FIRST_DELAY_MILLIS = 50;
  static final long MAX_DELAY_MILLIS = 5_000;

  private static final System.Logger LOG = System.getLogger(PendingReleases.class.getName());

  private final ScheduledExecutorService scheduler;
  private final Executor storeCalls;
  private final InstantSource clock;
  private final AtomicInteger pending = new AtomicInteger();

  PendingReleases(ScheduledExecutorService scheduler, Executor storeCalls, InstantSource clock) {
    this.scheduler = scheduler;
    this.storeCalls = storeCalls;
    this.clock = clock;
  }

  /** Abandons the claim made with {@code token}, whose answer was lost. */
  void abandon(
      StorageKey key, ClaimToken token, Duration lease, Supplier<UpdateResult> abandonCall) {
    add(new Release(key, "claim token " + token, lease, abandonCall));
  }

  /** Releases {@code fence}, whose release failed. */
  void release(StorageKey key, long fence, Duration lease, Supplier<UpdateResult> releaseCall) {
    add(new Release(key, "fence " + fence, lease, releaseCall));
  }

  /** How many releases are waiting for the store. */
  int pending() {
    return pending.get();
  }

  private void add(Release release) {
    if (pending.incrementAndGet() > MAX_PENDING) {
      pending.decrementAndGet();
      LOG.log(
          Level.WARNING,
          "{0} releases already wait for the idempotency store; not retrying the release of {1}"
              + " ({2}): after its lease a retry takes it over as an unknown outcome",
          MAX_PENDING,
          release.key,
          release.holder);
      return;
    }
    release.schedule(FIRST_DELAY_MILLIS);
  }

  /** One key to give back, and its retries. */
  private final class Release implements Runnable {
    final StorageKey key;
    final String holder;
    final long deadline;
    final Supplier<UpdateResult> call;
    long delayMillis;

    Release(StorageKey key, String holder, Duration lease, Supplier<UpdateResult> call) {
      this.key = key;
      this.holder = holder;
      this.deadline = clock.millis() + lease.plus(WINDOW).toMillis();
      this.call = call;
    }

    void schedule(long delay) {
      delayMillis = delay;
      try {
        // The task hands its own failure to giveUp: its future carries nothing to check.
        ScheduledFuture<?> unused =
            scheduler.schedule(
                () -> {
                  try {
                    storeCalls.execute(this);
                  } catch (RejectedExecutionException e) {
                    giveUp(e);
                  }
                },
                delay,
                TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        giveUp(e);
      }
    }

    @Override
    public void run() {
      try {
        // Any answer ends it: applied, or nothing left to release (the key is not held for us).
        UpdateResult unused = call.get();
        pending.decrementAndGet();
      } catch (RuntimeException e) {
        if (clock.millis() >= deadline) {
          giveUp(e);
        } else {
          schedule(Math.min(delayMillis * 2, MAX_DELAY_MILLIS));
        }
      }
    }

    private void giveUp(Exception cause) {
      pending.decrementAndGet();
      LOG.log(
          Level.WARNING,
          "gave up releasing idempotency key "
              + key
              + " ("
              + holder
              + ") after the store stayed unavailable; after its lease a retry takes it over as an"
              + " unknown outcome: "
              + cause);
    }
  }
}
