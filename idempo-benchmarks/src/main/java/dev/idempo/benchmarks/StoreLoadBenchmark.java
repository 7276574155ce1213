package dev.idempo.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idempo.Fingerprint;
import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.redis.RedisIdempotencyStore;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredResponse;
import dev.idempo.testsupport.PostgresServer;
import dev.idempo.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Load on each store with 1 and 16 concurrent callers: throughput and p50/p99 latency of a new
 * request (claim + complete) and of a replay (claim of a completed key), each next to a baseline
 * measured in the same run on the same backend: the least any store could do there (for Redis, two
 * plain {@code SET}s; for memory, a {@code ConcurrentHashMap}-free no-op is meaningless, so memory
 * is itself the baseline for the others). Redis round trips per request are counted from {@code
 * INFO commandstats}, not timed.
 *
 * <pre>
 * java -cp idempo-benchmarks/target/benchmarks.jar dev.idempo.benchmarks.StoreLoadBenchmark [seconds] [stores]
 * </pre>
 *
 * <p>{@code stores} is a comma-separated list of {@code memory}, {@code redis}, {@code sqlite} and
 * {@code postgres} (all by default). Redis rows also show the CPU each operation cost, from this
 * JVM's process CPU time and the server's {@code INFO cpu}, over the whole run (warm-up included):
 * on a small machine the client and the server share the cores, so CPU per operation is what bounds
 * throughput.
 */
public final class StoreLoadBenchmark {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration RETENTION = Duration.ofHours(1);
  private static final Fingerprint FINGERPRINT =
      Fingerprint.builder().add("body", "{\"amount\":1000}").build();
  private static final StoredResponse RESPONSE = StoredResponse.of(new byte[200]);
  private static final int[] CALLERS = {1, 16};

  private StoreLoadBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Set<String> stores =
        Set.of((args.length > 1 ? args[1] : "memory,redis,sqlite,postgres").split(","));
    List<String> rows = new ArrayList<>();
    rows.add(
        String.format(
            "%-28s %7s %12s %9s %9s %14s",
            "scenario", "callers", "ops/s", "p50 µs", "p99 µs", "round trips/op"));

    for (int callers : stores.contains("memory") ? CALLERS : new int[0]) {
      // A store per row, room for every first run it may see (~600k/s for `seconds`): a full
      // store refuses new claims rather than forget live records.
      InMemoryIdempotencyStore memory =
          InMemoryIdempotencyStore.builder()
              .maxRecords(
                  (int)
                      Math.min(
                          InMemoryIdempotencyStore.MAX_RECORDS_LIMIT, 1_000_000L * (seconds + 2)))
              .build();
      rows.add(
          row(
              "memory: new request",
              callers,
              run(callers, seconds, caller -> newRequest(memory)),
              "-"));
      List<StorageKey> completed = completedKeys(memory, 4096);
      rows.add(
          row(
              "memory: replay",
              callers,
              run(callers, seconds, caller -> replay(memory, completed)),
              "-"));
    }

    if (stores.contains("redis")) {
      runRedis(rows, seconds);
    }
    runJdbc(rows, seconds, stores);
    System.out.println();
    rows.forEach(System.out::println);
  }

  private static void runRedis(List<String> rows, int seconds) throws Exception {
    try (RedisServer server = RedisServer.start()) {
      RedisClient client = RedisClient.create(server.uri());
      try (StatefulRedisConnection<byte[], byte[]> connection =
              client.connect(ByteArrayCodec.INSTANCE);
          RedisIdempotencyStore redis = RedisIdempotencyStore.builder(connection).build()) {
        RedisCommands<byte[], byte[]> commands = connection.sync();
        byte[] value = new byte[200];
        SetArgs nx = SetArgs.Builder.nx().px(LEASE.toMillis());
        SetArgs xx = SetArgs.Builder.xx().px(RETENTION.toMillis());
        for (int callers : CALLERS) {
          long before = commandCount(commands, BASELINE_COMMANDS);
          RedisCpu cpu = RedisCpu.now(commands);
          Result baseline =
              run(
                  callers,
                  seconds,
                  caller -> {
                    byte[] key = randomKey().toString().getBytes(StandardCharsets.US_ASCII);
                    commands.set(key, value, nx);
                    commands.set(key, value, xx);
                  });
          rows.add(
              row(
                      "redis baseline: SET NX + SET",
                      callers,
                      baseline,
                      perOp(commands, BASELINE_COMMANDS, before, baseline))
                  + cpu.perOp(commands, baseline));
          before = commandCount(commands, STORE_COMMANDS);
          cpu = RedisCpu.now(commands);
          Result fresh = run(callers, seconds, caller -> newRequest(redis));
          rows.add(
              row(
                      "redis: new request",
                      callers,
                      fresh,
                      perOp(commands, STORE_COMMANDS, before, fresh))
                  + ratio(fresh, baseline)
                  + cpu.perOp(commands, fresh));
          List<StorageKey> completed = completedKeys(redis, 4096);
          before = commandCount(commands, STORE_COMMANDS);
          cpu = RedisCpu.now(commands);
          Result replays = run(callers, seconds, caller -> replay(redis, completed));
          rows.add(
              row(
                      "redis: replay",
                      callers,
                      replays,
                      perOp(commands, STORE_COMMANDS, before, replays))
                  + cpu.perOp(commands, replays));
        }
        // Where the server's time went: each command's calls and time (scripts include the
        // commands they ran, which are also listed on their own).
        for (String line : commands.info("commandstats").split("\\r?\\n", -1)) {
          if (line.startsWith("cmdstat_")) {
            rows.add("  redis " + line);
          }
        }
      } finally {
        client.shutdown();
      }
    }
  }

  /** CPU seconds used so far by this JVM and by the Redis server. */
  private record RedisCpu(double client, double server) {
    static RedisCpu now(RedisCommands<byte[], byte[]> commands) {
      double server = 0;
      for (String line : commands.info("cpu").split("\r?\n", -1)) {
        if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
          server += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      long client =
          ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
              .getProcessCpuTime();
      return new RedisCpu(client / 1e9, server);
    }

    /** CPU per operation since this reading, over every operation of the run. */
    String perOp(RedisCommands<byte[], byte[]> commands, Result result) {
      RedisCpu after = now(commands);
      double ops = result.allOperations();
      return String.format(
          Locale.ROOT,
          "   CPU/op: client %.1f µs, server %.1f µs",
          (after.client - client) / ops * 1e6,
          (after.server - server) / ops * 1e6);
    }
  }

  private static void runJdbc(List<String> rows, int seconds, Set<String> stores) throws Exception {
    if (stores.contains("sqlite")) {
      sqliteRows(rows, seconds);
    }
    if (stores.contains("postgres")) {
      postgresRows(rows, seconds);
    }
  }

  private static void sqliteRows(List<String> rows, int seconds) throws Exception {
    Path dir = Files.createTempDirectory("idempo-bench-sqlite");
    try (HikariDataSource sqlite =
        pool(
            "jdbc:sqlite:" + dir.resolve("idempo.db") + "?journal_mode=WAL&busy_timeout=5000",
            "",
            "",
            1)) {
      IdempotencyStore store = JdbcIdempotencyStore.builder(sqlite).build();
      jdbcRows(rows, "sqlite", sqlite, store, seconds, null);
    }
  }

  private static void postgresRows(List<String> rows, int seconds) throws Exception {
    try (PostgresServer server = PostgresServer.start();
        HikariDataSource postgres = pool(server.jdbcUrl(), server.user(), server.password(), 17)) {
      IdempotencyStore store = JdbcIdempotencyStore.builder(postgres).build();
      jdbcRows(
          rows,
          "postgres",
          postgres,
          store,
          seconds,
          server.hasPgStatStatements() ? postgres : null);
    }
  }

  private static HikariDataSource pool(String url, String user, String password, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(size);
    return new HikariDataSource(config);
  }

  /** Baseline: a plain INSERT then UPDATE of a row per request, two autocommit statements. */
  private static void jdbcRows(
      List<String> rows,
      String name,
      javax.sql.DataSource data,
      IdempotencyStore store,
      int seconds,
      javax.sql.DataSource statementStats)
      throws Exception {
    try (java.sql.Connection connection = data.getConnection();
        java.sql.Statement ddl = connection.createStatement()) {
      ddl.execute(
          "CREATE TABLE IF NOT EXISTS bench_baseline (k VARCHAR(64) PRIMARY KEY, v BYTEA)"
              .replace("BYTEA", name.equals("sqlite") ? "BLOB" : "BYTEA"));
    }
    byte[] value = new byte[200];
    CpuMeter cpu = new CpuMeter(statementStats);
    for (int callers : CALLERS) {
      long before = statements(statementStats);
      long[] cpuBefore = cpu.read();
      Result baseline =
          run(
              callers,
              seconds,
              caller -> {
                String key = randomKey().toString();
                try (java.sql.Connection c = data.getConnection();
                    java.sql.PreparedStatement insert =
                        c.prepareStatement("INSERT INTO bench_baseline (k, v) VALUES (?, NULL)");
                    java.sql.PreparedStatement update =
                        c.prepareStatement("UPDATE bench_baseline SET v = ? WHERE k = ?")) {
                  insert.setString(1, key);
                  insert.executeUpdate();
                  update.setBytes(1, value);
                  update.setString(2, key);
                  update.executeUpdate();
                } catch (java.sql.SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
      rows.add(
          row(
                  name + " baseline: INSERT+UPDATE",
                  callers,
                  baseline,
                  statementsPerOp(statementStats, before, baseline))
              + cpu.perOp(cpuBefore, baseline));
      before = statements(statementStats);
      cpuBefore = cpu.read();
      Result fresh = run(callers, seconds, caller -> newRequest(store));
      rows.add(
          row(
                  name + ": new request",
                  callers,
                  fresh,
                  statementsPerOp(statementStats, before, fresh))
              + ratio(fresh, baseline)
              + cpu.perOp(cpuBefore, fresh));
      List<StorageKey> completed = completedKeys(store, 4096);
      before = statements(statementStats);
      cpuBefore = cpu.read();
      Result replays = run(callers, seconds, caller -> replay(store, completed));
      rows.add(
          row(name + ": replay", callers, replays, statementsPerOp(statementStats, before, replays))
              + cpu.perOp(cpuBefore, replays));
    }
  }

  /**
   * CPU time per operation, robust to a loaded machine where throughput is not: this JVM's (the
   * callers and the driver) and, on PostgreSQL, the server's (every child of the postmaster, read
   * from /proc on this machine).
   */
  private static final class CpuMeter {
    private final long postmaster; // 0: no server processes to read
    private final javax.sql.DataSource postgres;

    CpuMeter(javax.sql.DataSource postgres) throws Exception {
      this.postgres = postgres;
      long found = 0;
      if (postgres != null) {
        try (java.sql.Connection c = postgres.getConnection();
            java.sql.Statement s = c.createStatement();
            java.sql.ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
          r.next();
          found = Long.parseLong(stat(r.getLong(1))[1]);
        }
      }
      this.postmaster = found;
    }

    /** The fields of /proc/PID/stat after the command: [0] state, [1] ppid, ... */
    private static String[] stat(long pid) throws java.io.IOException {
      String line = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return line.substring(line.lastIndexOf(')') + 2).split(" ", -1);
    }

    /** {JVM CPU ns, server CPU ns, WAL bytes written so far}. */
    long[] read() throws java.io.IOException {
      long wal = 0;
      if (postgres != null) {
        try (java.sql.Connection c = postgres.getConnection();
            java.sql.Statement s = c.createStatement();
            java.sql.ResultSet r =
                s.executeQuery("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")) {
          r.next();
          wal = r.getLong(1);
        } catch (java.sql.SQLException e) {
          throw new IllegalStateException("could not read the WAL position", e);
        }
      }
      long jvm =
          ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
              .getProcessCpuTime();
      long ticks = 0;
      if (postmaster != 0) {
        try (java.nio.file.DirectoryStream<Path> procs =
            Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
          for (Path proc : procs) {
            try {
              long pid = Long.parseLong(proc.getFileName().toString());
              String[] fields = stat(pid);
              if (pid == postmaster || Long.parseLong(fields[1]) == postmaster) {
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
              }
            } catch (java.io.IOException | RuntimeException e) {
              // The process ended while we looked: its CPU is lost to the count.
            }
          }
        }
      }
      return new long[] {jvm, ticks * 10_000_000L, wal}; // USER_HZ is 100
    }

    String perOp(long[] before, Result result) throws java.io.IOException {
      long[] after = read();
      double ops = result.allOperations();
      return String.format(
          Locale.ROOT,
          "   cpu/op: client %.0f µs%s",
          (after[0] - before[0]) / 1e3 / ops,
          postmaster == 0
              ? ""
              : String.format(
                  Locale.ROOT,
                  ", server %.0f µs, WAL %.0f B",
                  (after[1] - before[1]) / 1e3 / ops,
                  (after[2] - before[2]) / ops));
    }
  }

  /**
   * Statements PostgreSQL ran, from pg_stat_statements (the query reading it excluded); -1 without
   * it.
   */
  private static long statements(javax.sql.DataSource data) {
    if (data == null) {
      return -1;
    }
    try (java.sql.Connection c = data.getConnection();
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet r =
            s.executeQuery(
                "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'")) {
      r.next();
      return r.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("could not read pg_stat_statements", e);
    }
  }

  private static String statementsPerOp(javax.sql.DataSource data, long before, Result result) {
    if (data == null) {
      return "-";
    }
    return String.format(
        Locale.ROOT, "%.2f", (statements(data) - before) / (double) result.allOperations());
  }

  private static void newRequest(IdempotencyStore store) {
    StorageKey key = randomKey();
    long fence = ((ClaimResult.Acquired) store.claim(key, FINGERPRINT, LEASE, RETENTION)).fence();
    store.complete(key, fence, RESPONSE);
  }

  private static void replay(IdempotencyStore store, List<StorageKey> completed) {
    StorageKey key = completed.get(ThreadLocalRandom.current().nextInt(completed.size()));
    if (!(store.claim(key, FINGERPRINT, LEASE, RETENTION) instanceof ClaimResult.Replay)) {
      throw new IllegalStateException("expected a replay");
    }
  }

  private static List<StorageKey> completedKeys(IdempotencyStore store, int count) {
    List<StorageKey> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      StorageKey key = randomKey();
      long fence = ((ClaimResult.Acquired) store.claim(key, FINGERPRINT, LEASE, RETENTION)).fence();
      store.complete(key, fence, RESPONSE);
      keys.add(key);
    }
    return keys;
  }

  private static StorageKey randomKey() {
    byte[] bytes = new byte[StorageKey.LENGTH];
    ThreadLocalRandom.current().nextBytes(bytes);
    return StorageKey.of(bytes);
  }

  /** Operations completed and their latencies, over the measured seconds. */
  @SuppressWarnings("ArrayRecordComponent") // printed, never compared or hashed
  private record Result(long operations, long allOperations, double seconds, long[] sortedNanos) {
    double throughput() {
      return operations / seconds;
    }
  }

  /**
   * Runs {@code operation} on {@code callers} threads: one second of warm-up, then {@code seconds}
   * measured.
   */
  private static Result run(int callers, int seconds, Consumer<Integer> operation)
      throws InterruptedException {
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    LatencyRecorder[] recorders = new LatencyRecorder[callers];
    long[] counts = new long[callers];
    long[] all = new long[callers];
    CountDownLatch done = new CountDownLatch(callers);
    for (int c = 0; c < callers; c++) {
      int caller = c;
      recorders[c] = new LatencyRecorder();
      Thread thread =
          new Thread(
              () -> {
                try {
                  while (!stop.get()) {
                    long start = System.nanoTime();
                    operation.accept(caller);
                    all[caller]++;
                    if (measuring.get()) {
                      recorders[caller].record(System.nanoTime() - start);
                      counts[caller]++;
                    }
                  }
                } finally {
                  done.countDown();
                }
              },
              "load-" + c);
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
    long total = 0;
    long everything = 0;
    for (int c = 0; c < callers; c++) {
      total += counts[c];
      everything += all[c];
    }
    return new Result(total, everything, elapsed, LatencyRecorder.merged(recorders));
  }

  private static String row(String scenario, int callers, Result result, String roundTrips) {
    return String.format(
        Locale.ROOT,
        "%-28s %7d %12.0f %9.1f %9.1f %14s",
        scenario,
        callers,
        result.throughput(),
        LatencyRecorder.percentileMicros(result.sortedNanos(), 50),
        LatencyRecorder.percentileMicros(result.sortedNanos(), 99),
        roundTrips);
  }

  private static String ratio(Result result, Result baseline) {
    return String.format(
        Locale.ROOT, "   (%.2fx baseline throughput)", result.throughput() / baseline.throughput());
  }

  /**
   * Commands clients sent (round trips), not the ones scripts ran inside the server: the baseline
   * sends {@code SET}s, the store scripts (whose {@code GET}s and {@code SET}s run inside Redis).
   */
  private static final Set<String> BASELINE_COMMANDS = Set.of("cmdstat_set");

  private static final Set<String> STORE_COMMANDS =
      Set.of("cmdstat_evalsha", "cmdstat_eval", "cmdstat_wait");

  private static long commandCount(RedisCommands<byte[], byte[]> commands, Set<String> names) {
    long total = 0;
    for (String line : commands.info("commandstats").split("\\r?\\n", -1)) {
      int colon = line.indexOf(':');
      int calls = line.indexOf("calls=");
      if (colon > 0 && calls > 0 && names.contains(line.substring(0, colon))) {
        total += Long.parseLong(line.substring(calls + 6, line.indexOf(',', calls)));
      }
    }
    return total;
  }

  /** Redis round trips per operation over the whole run, warm-up included. */
  private static String perOp(
      RedisCommands<byte[], byte[]> commands, Set<String> names, long before, Result result) {
    return String.format(
        Locale.ROOT,
        "%.2f",
        (commandCount(commands, names) - before) / (double) result.allOperations());
  }
}
