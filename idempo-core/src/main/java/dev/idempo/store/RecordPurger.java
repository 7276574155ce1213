package dev.idempo.store;

import dev.idempo.internal.Checks;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Deletes expired records from stores in the background, keeping up with ingest: each run deletes
 * batches of {@link Builder#batchSize} for as long as full batches come back, then waits {@link
 * Builder#interval} before the next run. Expired records already behave as absent; purging keeps
 * tables and memory bounded. One purger serves the gateway and the Spring starter alike.
 *
 * <pre>{@code
 * RecordPurger purger = RecordPurger.builder(List.of(store)).build().start();
 * ...
 * purger.close(); // stops after the batch in progress, if any
 * }</pre>
 *
 * <p>A failing store is logged (one line) and tried again at the next run; other stores are still
 * purged. Stores that expire records themselves (Redis) answer 0 at once and cost one call a run.
 *
 * <p>Defaults: batches of {@value #DEFAULT_BATCH_SIZE}, every {@link #DEFAULT_INTERVAL}.
 * Thread-safe; runs on one daemon thread named {@code idempo-purge}.
 */
public final class RecordPurger implements AutoCloseable {
  /** The default number of records one purge call deletes at most. */
  public static final int DEFAULT_BATCH_SIZE = 1_000;

  /** The default pause between runs: 10 s. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  /** How long {@link #close()} waits for the batch in progress. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private static final System.Logger LOG = System.getLogger(RecordPurger.class.getName());

  private final List<IdempotencyStore> stores;
  private final int batchSize;
  private final Duration interval;
  private volatile boolean stopping;
  private ScheduledExecutorService scheduler;
  // Done only if a run threw past purgeNow's own handling (an Error): background purging ended.
  private ScheduledFuture<?> runs;

  private RecordPurger(Builder builder) {
    this.stores = builder.stores;
    this.batchSize = builder.batchSize;
    this.interval = builder.interval;
  }

  /**
   * A builder for a purger of {@code stores}, which it does not own (never closes).
   *
   * @throws NullPointerException if {@code stores} or one of them is null
   */
  public static Builder builder(List<? extends IdempotencyStore> stores) {
    return new Builder(List.copyOf(Checks.notNull(stores, "stores")));
  }

  /** The most records one purge call deletes. */
  public int batchSize() {
    return batchSize;
  }

  /** The pause between runs. */
  public Duration interval() {
    return interval;
  }

  /**
   * One run, now, on the calling thread: for each store, deletes batches while full batches come
   * back (or until {@link #close()}). Never throws for a store failure: it is logged.
   *
   * @return how many records were deleted
   */
  public long purgeNow() {
    long deleted = 0;
    for (IdempotencyStore store : stores) {
      try {
        while (!stopping) {
          int purged = store.purgeExpired(batchSize);
          deleted += purged;
          if (purged < batchSize) {
            break;
          }
        }
      } catch (RuntimeException e) {
        LOG.log(
            Level.WARNING,
            "purging expired idempotency records from "
                + store
                + " failed; next try in "
                + interval
                + ": "
                + e);
      }
    }
    return deleted;
  }

  /**
   * Starts purging in the background: a first run after one interval, then one run an interval
   * after the previous run ended. Idempotent.
   *
   * @return this purger
   * @throws IllegalStateException if it was closed
   */
  public synchronized RecordPurger start() {
    if (stopping) {
      throw new IllegalStateException("this purger was closed");
    }
    if (scheduler == null) {
      scheduler =
          Executors.newSingleThreadScheduledExecutor(
              runnable -> {
                Thread thread = new Thread(runnable, "idempo-purge");
                thread.setDaemon(true);
                return thread;
              });
      long millis = interval.toMillis();
      runs =
          scheduler.scheduleWithFixedDelay(this::purgeNow, millis, millis, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /**
   * True between {@link #start()} and {@link #close()}, unless a run failed with an error that
   * ended background purging (a store's exception is logged and retried, never ends it).
   */
  public synchronized boolean isRunning() {
    return scheduler != null && !stopping && !runs.isDone();
  }

  /**
   * Stops purging: no new batch starts, and the one in progress (if any) is waited for, up to 30
   * seconds. Idempotent.
   */
  @Override
  public void close() {
    ScheduledExecutorService stopped;
    synchronized (this) {
      stopping = true;
      stopped = scheduler;
    }
    if (stopped == null) {
      return;
    }
    stopped.shutdown();
    try {
      if (!stopped.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        stopped.shutdownNow();
      }
    } catch (InterruptedException e) {
      stopped.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "RecordPurger["
        + stores.size()
        + " stores, batches of "
        + batchSize
        + ", every "
        + interval
        + "]";
  }

  /** Configures a {@link RecordPurger}; setters reject bad values at once. Not thread-safe. */
  public static final class Builder {
    private final List<IdempotencyStore> stores;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private Duration interval = DEFAULT_INTERVAL;

    private Builder(List<IdempotencyStore> stores) {
      this.stores = stores;
    }

    /**
     * The most records one purge call deletes, 1 to 100,000; {@value #DEFAULT_BATCH_SIZE} by
     * default. Smaller batches hold the store's locks for less time; a run loops over as many as it
     * needs.
     *
     * @throws IllegalArgumentException naming batchSize if it is out of range
     */
    public Builder batchSize(int batchSize) {
      this.batchSize = Checks.inRange(batchSize, 1, 100_000, "batchSize");
      return this;
    }

    /**
     * The pause between runs, 1 ms to 1 day; 10 s by default.
     *
     * @throws IllegalArgumentException naming interval if it is out of range
     */
    public Builder interval(Duration interval) {
      Checks.positive(interval, "interval");
      if (interval.toMillis() < 1) {
        throw new IllegalArgumentException("interval must be at least 1 ms, was " + interval);
      }
      this.interval = Checks.atMost(interval, Duration.ofDays(1), "interval");
      return this;
    }

    public RecordPurger build() {
      return new RecordPurger(this);
    }
  }
}
