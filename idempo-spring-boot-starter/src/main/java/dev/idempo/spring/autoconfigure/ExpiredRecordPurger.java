package dev.idempo.spring.autoconfigure;

import dev.idempo.store.IdempotencyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Deletes expired records every {@code idempo.store.purge-interval} (10 minutes by default; 0
 * turns it off), in batches of {@value #BATCH}, on one daemon thread. Expired records already
 * behave as absent; purging keeps tables and memory small. A failing purge is logged and retried at
 * the next interval. Thread-safe.
 */
final class ExpiredRecordPurger implements SmartLifecycle {
  private static final Log LOG = LogFactory.getLog(ExpiredRecordPurger.class);
  static final int BATCH = 1000;
  /** At most this many batches per store and run, so one run never monopolizes a database. */
  private static final int MAX_BATCHES = 100;

  private final Supplier<List<IdempotencyStore>> stores;
  private final Duration interval;
  private ScheduledExecutorService scheduler;

  ExpiredRecordPurger(Supplier<List<IdempotencyStore>> stores, Duration interval) {
    this.stores = stores;
    this.interval = interval;
  }

  /** Purges every store now; answers how many records were deleted. */
  int purgeOnce() {
    int deleted = 0;
    for (IdempotencyStore store : stores.get()) {
      try {
        for (int batch = 0; batch < MAX_BATCHES; batch++) {
          int purged = store.purgeExpired(BATCH);
          deleted += purged;
          if (purged < BATCH) {
            break;
          }
        }
      } catch (RuntimeException e) {
        LOG.warn("purging expired idempotency records from " + store + " failed; next try in " + interval + ": " + e);
      }
    }
    return deleted;
  }

  @Override
  public synchronized void start() {
    if (scheduler != null || interval.isZero()) {
      return;
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "idempo-purge");
              thread.setDaemon(true);
              return thread;
            });
    long millis = interval.toMillis();
    scheduler.scheduleWithFixedDelay(this::purgeOnce, millis, millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return scheduler != null;
  }

  @Override
  public String toString() {
    return "ExpiredRecordPurger[every " + interval + "]";
  }
}
