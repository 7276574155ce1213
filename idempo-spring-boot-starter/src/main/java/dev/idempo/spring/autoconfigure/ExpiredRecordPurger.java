package dev.idempo.spring.autoconfigure;

import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.RecordPurger;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.context.SmartLifecycle;

/**
 * The application context's lifecycle around the one {@link RecordPurger}: every {@code
 * idempo.store.purge-interval} (1 minute by default; 0 turns it off) it deletes expired records in
 * batches of {@code idempo.store.purge-batch-size} (1,000 by default) for as long as full batches
 * come back, so it keeps up with any ingest. Expired records already behave as absent; purging
 * keeps tables and memory bounded. A failing purge is logged and retried at the next interval.
 * Thread-safe.
 */
final class ExpiredRecordPurger implements SmartLifecycle {
  private final Supplier<List<IdempotencyStore>> stores;
  private final Duration interval;
  private final int batchSize;
  private RecordPurger running;

  ExpiredRecordPurger(Supplier<List<IdempotencyStore>> stores, Duration interval, int batchSize) {
    this.stores = stores;
    this.interval = interval;
    this.batchSize = batchSize;
  }

  /** Purges every store now until no full batch comes back; answers how many were deleted. */
  long purgeOnce() {
    return purger().purgeNow();
  }

  private RecordPurger purger() {
    RecordPurger.Builder builder = RecordPurger.builder(stores.get()).batchSize(batchSize);
    return (interval.isZero() ? builder : builder.interval(interval)).build();
  }

  @Override
  public synchronized void start() {
    if (running == null && !interval.isZero()) {
      running = purger().start();
    }
  }

  @Override
  public synchronized void stop() {
    if (running != null) {
      running.close();
      running = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return running != null;
  }

  @Override
  public String toString() {
    return "ExpiredRecordPurger[every " + interval + ", batches of " + batchSize + "]";
  }
}
