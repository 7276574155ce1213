package dev.idempo.benchmarks;

import dev.idempo.Fingerprint;
import dev.idempo.redis.RedisIdempotencyStore;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredResponse;
import dev.idempo.testsupport.RedisCluster;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Redis store on a six-node Redis Cluster (three masters, three replicas, started on loopback
 * by test support): new requests (claim + complete of a fresh key) per second and their p50/p99,
 * without and with {@code waitForReplicas(1, 1 s)}, next to a baseline measured in the same run on
 * the same cluster: two plain {@code SET}s ({@code NX} then {@code XX}) per request.
 *
 * <pre>
 * java -cp idempo-benchmarks/target/benchmarks.jar dev.idempo.benchmarks.RedisClusterWaitBenchmark [seconds]
 * </pre>
 */
public final class RedisClusterWaitBenchmark {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration RETENTION = Duration.ofHours(1);
  private static final Fingerprint FINGERPRINT =
      Fingerprint.builder().add("body", "{\"amount\":1000}").build();
  private static final StoredResponse RESPONSE = StoredResponse.of(new byte[200]);
  private static final int[] CALLERS = {1, 16};

  private RedisClusterWaitBenchmark() {}

  /** One request's work, run in a loop by each caller. */
  private interface Operation {
    void run();
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    List<String> rows = new ArrayList<>();
    rows.add(
        String.format(
            "%-34s %7s %10s %9s %9s", "scenario", "callers", "ops/s", "p50 µs", "p99 µs"));
    try (RedisCluster cluster = RedisCluster.start()) {
      RedisClusterClient client =
          RedisClusterClient.create(cluster.uris().stream().map(RedisURI::create).toList());
      try (StatefulRedisClusterConnection<byte[], byte[]> connection =
              client.connect(ByteArrayCodec.INSTANCE);
          RedisIdempotencyStore plain =
              RedisIdempotencyStore.builder(client).keyPrefix("bench:").build();
          RedisIdempotencyStore waiting =
              RedisIdempotencyStore.builder(client)
                  .keyPrefix("bench-wait:")
                  .waitForReplicas(1, Duration.ofSeconds(1))
                  .build()) {
        RedisAdvancedClusterCommands<byte[], byte[]> commands = connection.sync();
        byte[] value = new byte[200];
        SetArgs nx = SetArgs.Builder.nx().px(LEASE.toMillis());
        SetArgs xx = SetArgs.Builder.xx().px(RETENTION.toMillis());
        for (int callers : CALLERS) {
          double[] baseline =
              run(
                  callers,
                  seconds,
                  () -> {
                    byte[] key = ("base:{" + randomKey() + "}").getBytes(StandardCharsets.US_ASCII);
                    commands.set(key, value, nx);
                    commands.set(key, value, xx);
                  });
          rows.add(row("cluster baseline: SET NX + SET", callers, baseline, null));
          double[] fresh = run(callers, seconds, () -> newRequest(plain));
          rows.add(row("cluster store: new request", callers, fresh, baseline));
          double[] waited = run(callers, seconds, () -> newRequest(waiting));
          rows.add(
              row("cluster store + WAIT 1: new request", callers, waited, baseline)
                  + String.format(Locale.ROOT, " (%.2fx without WAIT)", waited[0] / fresh[0]));
        }
      } finally {
        client.shutdown();
      }
    }
    System.out.println();
    rows.forEach(System.out::println);
  }

  private static void newRequest(RedisIdempotencyStore store) {
    StorageKey key = randomKey();
    ClaimResult.Acquired claim =
        (ClaimResult.Acquired) store.claim(key, FINGERPRINT, LEASE, RETENTION);
    store.complete(key, claim.fence(), RESPONSE);
  }

  private static StorageKey randomKey() {
    byte[] bytes = new byte[StorageKey.LENGTH];
    ThreadLocalRandom.current().nextBytes(bytes);
    return StorageKey.of(bytes);
  }

  /** {ops/s, p50 µs, p99 µs}: one second of warm-up, then {@code seconds} measured. */
  private static double[] run(int callers, int seconds, Operation operation)
      throws InterruptedException {
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    LatencyRecorder[] recorders = new LatencyRecorder[callers];
    long[] counts = new long[callers];
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
                    operation.run();
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
    Thread.sleep(1_000); // warm-up, then a fixed measuring window: a benchmark, not a test
    long start = System.nanoTime();
    measuring.set(true);
    Thread.sleep(seconds * 1_000L);
    measuring.set(false);
    double elapsed = (System.nanoTime() - start) / 1e9;
    stop.set(true);
    done.await();
    long total = 0;
    for (long count : counts) {
      total += count;
    }
    long[] sorted = LatencyRecorder.merged(recorders);
    return new double[] {
      total / elapsed,
      LatencyRecorder.percentileMicros(sorted, 50),
      LatencyRecorder.percentileMicros(sorted, 99)
    };
  }

  private static String row(String scenario, int callers, double[] result, double[] baseline) {
    String line =
        String.format(
            Locale.ROOT,
            "%-34s %7d %10.0f %9.1f %9.1f",
            scenario,
            callers,
            result[0],
            result[1],
            result[2]);
    return baseline == null
        ? line
        : line + String.format(Locale.ROOT, "   (%.2fx baseline)", result[0] / baseline[0]);
  }
}
