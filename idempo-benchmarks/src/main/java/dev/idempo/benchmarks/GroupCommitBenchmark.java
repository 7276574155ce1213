package dev.idempo.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idempo.Fingerprint;
import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredResponse;
import dev.idempo.testsupport.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Issue 13 item 3: group commit against one commit per write, on SQLite (set up as the gateway sets
 * it up: WAL, a pool of 4, {@code synchronous} NORMAL or FULL) and on PostgreSQL (fsync and {@code
 * synchronous_commit} on, a pool of 16). A first run is a claim and a complete of a new key, as the
 * gateway makes for every new request. Each round runs every configuration back to back on a fresh
 * database; the rounds repeat the whole comparison so the spread shows the machine's noise. Prints
 * first runs per second, p50 and p99 of a first run (claim + complete) and the ratio to the
 * baseline of the same round (SQLite: today's path, NORMAL, no group commit).
 *
 * <pre>java -cp idempo-benchmarks/target/benchmarks.jar dev.idempo.benchmarks.GroupCommitBenchmark
 *     [seconds=5] [rounds=3] [callers=16] [sqlite|postgres|all=all]
 *     [run only the configurations whose name contains this]</pre>
 */
public final class GroupCommitBenchmark {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration RETENTION = Duration.ofHours(1);
  private static final Fingerprint FINGERPRINT =
      Fingerprint.builder().add("body", "{\"amount\":1000}").build();
  private static final StoredResponse RESPONSE = StoredResponse.of(new byte[200]);

  private GroupCommitBenchmark() {}

  /** One configuration of the store under test. */
  private record Setup(String name, String synchronous, boolean groupCommit) {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int callers = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    String which = args.length > 3 ? args[3] : "all";
    String only = args.length > 4 ? args[4] : "";
    Map<String, List<Row>> results = new LinkedHashMap<>();
    if (!which.equals("postgres")) {
      List<Setup> setups =
          List.of(
              new Setup("sqlite NORMAL, one commit per write (today)", "NORMAL", false),
              new Setup("sqlite NORMAL, group commit", "NORMAL", true),
              new Setup("sqlite FULL, one commit per write", "FULL", false),
              new Setup("sqlite FULL, group commit", "FULL", true));
      for (int round = 1; round <= rounds; round++) {
        for (Setup setup : setups) {
          if (!setup.name().contains(only)) {
            continue;
          }
          Row row = sqlite(setup, callers, seconds);
          System.out.println("round " + round + ": " + row.format(null));
          results.computeIfAbsent(setup.name(), name -> new ArrayList<>()).add(row);
        }
      }
    }
    if (!which.equals("sqlite")) {
      List<Setup> setups =
          List.of(
              new Setup("postgres, one commit per write", "on", false),
              new Setup("postgres, group commit", "on", true));
      // fsync and full_page_writes on: the test server turns them off for speed.
      try (PostgresServer server =
          PostgresServer.start("-c", "fsync=on", "-c", "full_page_writes=on")) {
        for (int round = 1; round <= rounds; round++) {
          for (Setup setup : setups) {
            if (!setup.name().contains(only)) {
              continue;
            }
            Row row = postgres(server, setup, callers, seconds);
            System.out.println("round " + round + ": " + row.format(null));
            results.computeIfAbsent(setup.name(), name -> new ArrayList<>()).add(row);
          }
        }
      }
    }
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "%-46s %7s %22s %9s %9s %s%n",
        "configuration (callers=" + callers + ")",
        "rounds",
        "first runs/s (min-max)",
        "p50 µs",
        "p99 µs",
        "ratio to baseline, per round");
    for (Map.Entry<String, List<Row>> entry : results.entrySet()) {
      List<Row> baseline =
          results.get(
              entry.getKey().startsWith("sqlite")
                  ? "sqlite NORMAL, one commit per write (today)"
                  : "postgres, one commit per write");
      System.out.println(
          baseline == null
              ? entry.getKey() + ": no baseline measured"
              : summary(entry.getKey(), entry.getValue(), baseline));
    }
  }

  private static Row sqlite(Setup setup, int callers, int seconds) throws Exception {
    Path directory = Files.createTempDirectory("idempo-group-commit");
    try {
      HikariConfig config = new HikariConfig();
      config.setPoolName("bench-sqlite");
      config.setJdbcUrl("jdbc:sqlite:" + directory.resolve("idempo.db"));
      config.addDataSourceProperty("journal_mode", "WAL");
      config.addDataSourceProperty("synchronous", setup.synchronous());
      config.addDataSourceProperty("busy_timeout", "5000");
      config.setMaximumPoolSize(4); // as the gateway
      try (HikariDataSource pool = new HikariDataSource(config);
          JdbcIdempotencyStore store =
              JdbcIdempotencyStore.builder(pool).groupCommit(setup.groupCommit()).build()) {
        return measure(setup.name(), store, callers, seconds);
      }
    } finally {
      delete(directory);
    }
  }

  private static Row postgres(PostgresServer server, Setup setup, int callers, int seconds)
      throws Exception {
    HikariConfig config = new HikariConfig();
    config.setPoolName("bench-postgres");
    config.setJdbcUrl(server.jdbcUrl());
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(16); // as the gateway
    String prefix = "b" + Long.toString(System.nanoTime(), 36) + "_";
    try (HikariDataSource pool = new HikariDataSource(config);
        JdbcIdempotencyStore store =
            JdbcIdempotencyStore.builder(pool)
                .tablePrefix(prefix)
                .groupCommit(setup.groupCommit())
                .build()) {
      return measure(setup.name(), store, callers, seconds);
    }
  }

  /** First runs on {@code callers} threads: one second of warm-up, then {@code seconds}. */
  private static Row measure(String name, JdbcIdempotencyStore store, int callers, int seconds)
      throws InterruptedException {
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    LatencyRecorder[] recorders = new LatencyRecorder[callers];
    CountDownLatch done = new CountDownLatch(callers);
    RuntimeException[] failure = new RuntimeException[1];
    for (int c = 0; c < callers; c++) {
      LatencyRecorder recorder = new LatencyRecorder();
      recorders[c] = recorder;
      Thread thread =
          new Thread(
              () -> {
                try {
                  while (!stop.get()) {
                    long start = System.nanoTime();
                    firstRun(store);
                    if (measuring.get()) {
                      recorder.record(System.nanoTime() - start);
                    }
                  }
                } catch (RuntimeException e) {
                  failure[0] = e;
                } finally {
                  done.countDown();
                }
              },
              "caller-" + c);
      thread.setDaemon(true);
      thread.start();
    }
    Thread.sleep(1_000);
    long start = System.nanoTime();
    measuring.set(true);
    Thread.sleep(seconds * 1_000L);
    measuring.set(false);
    double elapsed = (System.nanoTime() - start) / 1e9;
    stop.set(true);
    done.await();
    if (failure[0] != null) {
      throw new IllegalStateException(name + " failed", failure[0]);
    }
    long[] sorted = LatencyRecorder.merged(recorders);
    return new Row(
        name,
        sorted.length / elapsed,
        LatencyRecorder.percentileMicros(sorted, 50),
        LatencyRecorder.percentileMicros(sorted, 99));
  }

  private static void firstRun(JdbcIdempotencyStore store) {
    byte[] bytes = new byte[StorageKey.LENGTH];
    ThreadLocalRandom.current().nextBytes(bytes);
    StorageKey key = StorageKey.of(bytes);
    long fence = ((ClaimResult.Acquired) store.claim(key, FINGERPRINT, LEASE, RETENTION)).fence();
    store.complete(key, fence, RESPONSE);
  }

  /** One configuration's figures in one round. */
  private record Row(String name, double perSecond, double p50, double p99) {
    String format(Row baseline) {
      return String.format(
          Locale.ROOT,
          "%-46s %10.0f/s p50 %8.1f µs p99 %9.1f µs%s",
          name,
          perSecond,
          p50,
          p99,
          baseline == null
              ? ""
              : String.format(Locale.ROOT, "  %.2fx", perSecond / baseline.perSecond));
    }
  }

  private static String summary(String name, List<Row> rows, List<Row> baseline) {
    double[] rates = rows.stream().mapToDouble(Row::perSecond).sorted().toArray();
    double[] p50s = rows.stream().mapToDouble(Row::p50).sorted().toArray();
    double[] p99s = rows.stream().mapToDouble(Row::p99).sorted().toArray();
    StringBuilder ratios = new StringBuilder();
    for (int i = 0; i < rows.size(); i++) {
      double ratio = rows.get(i).perSecond / baseline.get(i).perSecond;
      ratios.append(String.format(Locale.ROOT, "%.2fx ", ratio));
    }
    return String.format(
        Locale.ROOT,
        "%-46s %7d %8.0f (%5.0f-%5.0f) %9.1f %9.1f %s",
        name,
        rows.size(),
        median(rates),
        rates[0],
        rates[rates.length - 1],
        median(p50s),
        median(p99s),
        ratios.toString().trim());
  }

  private static double median(double[] sorted) {
    return sorted.length % 2 == 1
        ? sorted[sorted.length / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  }

  private static void delete(Path directory) throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path path : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(path);
      }
    }
  }
}
