package dev.idempo.http;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The lease-renewal scheduler {@link HttpIdempotency} uses unless given one: one daemon thread for
 * the JVM, like the core's default, that scheduling a renewal does not wake.
 *
 * <p>Why: a {@link ScheduledThreadPoolExecutor} signals its thread whenever a new task becomes the
 * head of its queue. Every request schedules a renewal (first due a third of the lease away, 10 s
 * by default) and cancels it a few microseconds later, so under load the queue is mostly empty and
 * nearly every request woke the thread: a futex wake on the request's thread and a context switch
 * (measured on Jetty with the in-memory store: ~2.5 µs of the renewal thread's CPU per request on
 * top of the request's own). A no-op tick every {@value #TICK_MILLIS} ms keeps a task due sooner
 * than any renewal at the head, so adding one signals nothing; the thread wakes once per tick
 * instead of once per request. Renewals due within a tick (leases under 3 s) still wake it as
 * before, and run on time either way.
 *
 * <p>Cancelled renewals leave the queue at once. Thread-safe.
 */
final class QuietRenewalScheduler {
  static final long TICK_MILLIS = 1000;

  private QuietRenewalScheduler() {}

  /** The shared scheduler, started on first use; never shut down (its thread is a daemon). */
  static ScheduledExecutorService shared() {
    return Holder.INSTANCE;
  }

  private static final class Holder {
    static final ScheduledExecutorService INSTANCE = create();

    private static ScheduledExecutorService create() {
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(
              1,
              runnable -> {
                Thread thread = new Thread(runnable, "idempo-http-lease-renewal");
                thread.setDaemon(true);
                return thread;
              });
      executor.setRemoveOnCancelPolicy(true);
      // A no-op never fails, so its future has nothing to report.
      ScheduledFuture<?> unused =
          executor.scheduleAtFixedRate(() -> {}, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
      return executor;
    }
  }
}
