package dev.idempo.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idempo.Fingerprint;
import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.RecordPurger;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 9 item 11: does a SQLite table stay bounded under sustained first runs? Runs new requests
 * (claim + complete, each a new key) at a steady rate against a SQLite file set up as the gateway
 * sets it up, with records retained for a few seconds, while the gateway's purger runs (the shared
 * {@link RecordPurger}, batches of 1,000 every 10 s). Every 5 s it prints the rows in the table,
 * how many of them have expired, and the rate reached. With {@code old} it instead runs the old
 * gateway purge (one batch of 1,000 a minute) for comparison.
 *
 * <pre>java -cp idempo-benchmarks/target/benchmarks.jar dev.idempo.benchmarks.PurgeLoadBenchmark
 *     [seconds=60] [rate/s=1200] [retention s=5] [new|old]</pre>
 */
public final class PurgeLoadBenchmark {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Fingerprint FINGERPRINT = Fingerprint.builder().add("body", "{}").build();
  private static final StoredResponse RESPONSE = StoredResponse.of(new byte[200]);
  private static final int CALLERS = 2;

  private PurgeLoadBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 1200;
    Duration retention = Duration.ofSeconds(args.length > 2 ? Integer.parseInt(args[2]) : 5);
    boolean old = args.length > 3 && args[3].equals("old");
    Path dir = Files.createTempDirectory("idempo-purge-load");
    try (HikariDataSource sqlite = sqlite(dir.resolve("idempo.db"))) {
      JdbcIdempotencyStore store = JdbcIdempotencyStore.builder(sqlite).build();
      AtomicLong firstRuns = new AtomicLong();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> callers = new ArrayList<>();
      for (int i = 0; i < CALLERS; i++) {
        Thread caller =
            new Thread(
                () -> load(store, retention, rate / CALLERS, stop, firstRuns), "caller-" + i);
        caller.start();
        callers.add(caller);
      }
      RecordPurger purger =
          RecordPurger.builder(List.of(store))
              .batchSize(1_000)
              .interval(Duration.ofSeconds(10))
              .build();
      ScheduledExecutorService oldPurge = Executors.newSingleThreadScheduledExecutor();
      ScheduledFuture<?> oldPurgeRuns = null;
      if (old) {
        // The gateway's purge before issue 9: one batch of 1,000 a minute, whatever the backlog.
        oldPurgeRuns =
            oldPurge.scheduleWithFixedDelay(
                () -> store.purgeExpired(1_000), 60, 60, TimeUnit.SECONDS);
      } else {
        purger.start();
      }
      System.out.printf(
          "SQLite, %d callers, target %d first runs/s, retention %s, purge: %s%n",
          CALLERS, rate, retention, old ? "old (1 batch of 1,000 a minute)" : purger);
      System.out.printf(
          "%8s %12s %10s %10s %10s%n", "elapsed", "first runs", "rate/s", "rows", "expired");
      long start = System.nanoTime();
      long maxRows = 0;
      for (int tick = 5; tick <= seconds; tick += 5) {
        LockSupport.parkNanos(start + tick * 1_000_000_000L - System.nanoTime());
        long runs = firstRuns.get();
        long[] rows = rows(sqlite);
        maxRows = Math.max(maxRows, rows[0]);
        System.out.printf(
            "%7ds %12d %10.0f %10d %10d%n", tick, runs, runs / (double) tick, rows[0], rows[1]);
      }
      stop.set(true);
      for (Thread caller : callers) {
        caller.join();
      }
      purger.close();
      if (oldPurgeRuns != null && oldPurgeRuns.isDone()) {
        oldPurgeRuns.get(); // a periodic run ends early only by throwing: report that failure
      }
      oldPurge.shutdownNow();
      System.out.printf(
          "total %d first runs in %d s (%.0f/s); most rows seen %d%n",
          firstRuns.get(), seconds, firstRuns.get() / (double) seconds, maxRows);
    } finally {
      try (var files = Files.list(dir)) {
        for (Path file : files.toList()) {
          Files.deleteIfExists(file);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  /** New requests at {@code rate} per second until {@code stop}: claim, then complete. */
  private static void load(
      IdempotencyStore store, Duration retention, int rate, AtomicBoolean stop, AtomicLong done) {
    long interval = 1_000_000_000L / rate;
    long next = System.nanoTime();
    while (!stop.get()) {
      byte[] bytes = new byte[StorageKey.LENGTH];
      ThreadLocalRandom.current().nextBytes(bytes);
      StorageKey key = StorageKey.of(bytes);
      ClaimResult claim = store.claim(key, FINGERPRINT, LEASE, retention);
      store.complete(key, ((ClaimResult.Acquired) claim).fence(), RESPONSE);
      done.incrementAndGet();
      next += interval;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }

  /** The rows in the table and how many of them have expired. */
  private static long[] rows(HikariDataSource sqlite) throws SQLException {
    try (Connection connection = sqlite.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT COUNT(*), SUM(CASE WHEN expires_at <= "
                    + System.currentTimeMillis()
                    + " THEN 1 ELSE 0 END) FROM idempo_records")) {
      rows.next();
      return new long[] {rows.getLong(1), rows.getLong(2)};
    }
  }

  /** As the gateway set SQLite up. */
  private static HikariDataSource sqlite(Path file) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:sqlite:" + file);
    config.addDataSourceProperty("journal_mode", "WAL");
    config.addDataSourceProperty("synchronous", "NORMAL");
    config.addDataSourceProperty("busy_timeout", "5000");
    config.setMaximumPoolSize(4);
    return new HikariDataSource(config);
  }
}
