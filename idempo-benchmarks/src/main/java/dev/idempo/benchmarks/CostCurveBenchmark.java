package dev.idempo.benchmarks;

import dev.idempo.store.ClaimResult;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.RecordPurger;
import dev.idempo.store.StorageKey;
import dev.idempo.testsupport.PostgresServer;
import dev.idempo.testsupport.RedisServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Issue 13 item 5, cost curves: how a first run's store cost (claim + complete of a new key, one
 * caller) and the store's memory or disk grow with the number of live records, with the store's
 * purge running. For each store it loads {@link LoadedStore records} up to each size in turn (in
 * the format the store writes, checked by reading a sample back through the store's API), then,
 * with the shared {@link RecordPurger} running at its defaults (Redis purges by its own expiry),
 * times {@code ops} first runs (after {@link #WARMUP} of untimed ones) whose records expire after
 * {@link #MEASURED_RETENTION}, so the purge keeps the table at its size. The size is taken after
 * loading, before the first runs. Each size's latency is also given as a ratio to the smallest
 * size's, measured in the same run on the same store, with the machine's load average beside it.
 *
 * <p>Every row is appended to {@code results} (TSV); the Markdown tables and the PNG are drawn from
 * the latest run of each store in that file, so stores may be run one at a time.
 *
 * <pre>
 * java -cp idempo-benchmarks/target/benchmarks.jar dev.idempo.benchmarks.CostCurveBenchmark \
 *     [stores=memory,redis,postgresql,sqlite[,sqlite-normal]] \
 *     [sizes=10000,1000000,10000000] [ops=20000] [warmup=200000] [memoryMax=1000000] \
 *     [results=docs/images/cost-curves.tsv] [png=docs/images/cost-curves.png]
 * </pre>
 */
public final class CostCurveBenchmark {
  /** The retention of the measured first runs: short, so the purge removes them again. */
  static final Duration MEASURED_RETENTION = Duration.ofSeconds(2);

  /** How long each size warms up (untimed first runs) before the timed ones. */
  static final Duration WARMUP = Duration.ofSeconds(3);

  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final int VERIFY_SAMPLES = 200;

  private CostCurveBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<String> stores = List.of("memory", "redis", "postgresql", "sqlite");
    long[] sizes = {10_000, 1_000_000, 10_000_000};
    int ops = 20_000;
    int warmup = 200_000;
    long memoryMax = 1_000_000;
    Path results = Path.of("docs/images/cost-curves.tsv");
    Path png = Path.of("docs/images/cost-curves.png");
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("arguments are name=value, got: " + arg);
      }
      String value = arg.substring(eq + 1);
      switch (arg.substring(0, eq)) {
        case "stores" -> stores = List.of(value.split(","));
        case "sizes" ->
            sizes = Arrays.stream(value.split(",")).mapToLong(Long::parseLong).toArray();
        case "ops" -> ops = Integer.parseInt(value);
        case "warmup" -> warmup = Integer.parseInt(value);
        case "memoryMax" -> memoryMax = Long.parseLong(value);
        case "results" -> results = Path.of(value);
        case "png" -> png = Path.of(value);
        default -> throw new IllegalArgumentException("unknown argument: " + arg);
      }
    }
    Arrays.sort(sizes);
    String run = Instant.now().toString();
    if (results.getParent() != null) {
      Files.createDirectories(results.getParent());
    }
    for (String name : stores) {
      long memoryMost = memoryMax;
      long[] storeSizes =
          name.equals("memory")
              ? Arrays.stream(sizes).filter(size -> size <= memoryMost).toArray()
              : sizes;
      try (LoadedStore loaded = open(name, storeSizes, ops + warmup)) {
        CurveRow first = null;
        long loadedCount = 0;
        for (long size : storeSizes) {
          long start = System.nanoTime();
          loaded.load(loadedCount, size);
          double loadSeconds = (System.nanoTime() - start) / 1e9;
          LoadedStore.verify(loaded, loadedCount, size, VERIFY_SAMPLES);
          long added = size - loadedCount;
          loadedCount = size;
          System.out.printf(
              Locale.ROOT,
              "%s: loaded up to %,d records in %.1f s (%,.0f/s), a sample replays%n",
              name,
              size,
              loadSeconds,
              added / loadSeconds);
          CurveRow row = measure(run, loaded, size, ops, warmup);
          first = first == null ? row : first;
          System.out.println(row.describe(first));
          Files.writeString(
              results,
              row.tsv() + "\n",
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND);
          List<CurveRow> latest = CurveRow.latestRuns(CurveRow.read(results));
          CostCurvePlot.write(latest, png);
          Files.writeString(results.resolveSibling("cost-curves.md"), CurveRow.markdown(latest));
        }
      }
    }
    System.out.println();
    System.out.print(CurveRow.markdown(CurveRow.latestRuns(CurveRow.read(results))));
  }

  private static LoadedStore open(String name, long[] sizes, int measured) throws Exception {
    switch (name) {
      case "memory" -> {
        long most = sizes.length == 0 ? 0 : sizes[sizes.length - 1];
        // Room for every measured first run too: they may all be within their retention.
        long room = most + (long) sizes.length * measured + 1_000;
        return new MemoryLoadedStore((int) Math.min(Integer.MAX_VALUE, room));
      }
      case "redis" -> {
        RedisServer server = RedisServer.start();
        try {
          return new RedisLoadedStore(server);
        } catch (Exception e) {
          server.close();
          throw e;
        }
      }
      case "postgresql" -> {
        PostgresServer server = PostgresServer.start();
        try {
          return JdbcLoadedStore.postgres(server);
        } catch (Exception e) {
          server.close();
          throw e;
        }
      }
      case "sqlite" -> {
        Path dir = Files.createTempDirectory("idempo-cost-curves");
        dir.toFile().deleteOnExit(); // The store deletes its files on close.
        return JdbcLoadedStore.sqlite(dir.resolve("idempo.db"));
      }
      case "sqlite-normal" -> {
        Path dir = Files.createTempDirectory("idempo-cost-curves");
        dir.toFile().deleteOnExit(); // The store deletes its files on close.
        return JdbcLoadedStore.sqlite(dir.resolve("idempo.db"), "NORMAL");
      }
      default -> throw new IllegalArgumentException("unknown store: " + name);
    }
  }

  /**
   * Times {@code ops} first runs after untimed ones for {@link #WARMUP} (at most {@code warmup} of
   * them: the JIT needs tens of thousands on the memory store), with the purge running.
   */
  static CurveRow measure(String run, LoadedStore loaded, long size, int ops, int warmup)
      throws Exception {
    IdempotencyStore store = loaded.store();
    // Measured before the first runs, which stay within their retention for a moment.
    long sizeBytes = loaded.sizeBytes();
    LatencyRecorder claims = new LatencyRecorder();
    LatencyRecorder firstRuns = new LatencyRecorder();
    double load;
    RecordPurger purger = RecordPurger.builder(List.of(store)).build().start();
    try {
      long warmUntil = System.nanoTime() + WARMUP.toNanos();
      for (int n = 0; n < warmup && System.nanoTime() < warmUntil; n++) {
        firstRun(store, null, null);
      }
      for (int n = 0; n < ops; n++) {
        firstRun(store, claims, firstRuns);
      }
      load = loadAverage();
    } finally {
      purger.close();
    }
    long[] claimed = LatencyRecorder.merged(claims);
    long[] completed = LatencyRecorder.merged(firstRuns);
    return new CurveRow(
        run,
        loaded.name(),
        size,
        ops,
        LatencyRecorder.percentileMicros(claimed, 50),
        LatencyRecorder.percentileMicros(claimed, 99),
        LatencyRecorder.percentileMicros(completed, 50),
        LatencyRecorder.percentileMicros(completed, 99),
        sizeBytes,
        loaded.sizeMeaning(),
        load);
  }

  /** One first run of a new key: claim, then complete; timed into the recorders if given. */
  private static void firstRun(
      IdempotencyStore store, LatencyRecorder claims, LatencyRecorder firstRuns) {
    byte[] bytes = new byte[StorageKey.LENGTH];
    ThreadLocalRandom.current().nextBytes(bytes);
    StorageKey key = StorageKey.of(bytes);
    long start = System.nanoTime();
    ClaimResult claim = store.claim(key, LoadedStore.FINGERPRINT, LEASE, MEASURED_RETENTION);
    long claimed = System.nanoTime();
    store.complete(key, ((ClaimResult.Acquired) claim).fence(), LoadedStore.RESPONSE);
    long completed = System.nanoTime();
    if (claims != null) {
      claims.record(claimed - start);
      firstRuns.record(completed - start);
    }
  }

  /** The one-minute load average, as {@code uptime} prints it; NaN where /proc is missing. */
  static double loadAverage() {
    try {
      String text = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII);
      return Double.parseDouble(text.substring(0, text.indexOf(' ')));
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Every store name this benchmark knows, in table order. */
  static List<String> storeNames() {
    return new ArrayList<>(List.of("memory", "redis", "postgresql", "sqlite", "sqlite-normal"));
  }
}
