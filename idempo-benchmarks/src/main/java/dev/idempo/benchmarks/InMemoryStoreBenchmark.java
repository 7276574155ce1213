package dev.idempo.benchmarks;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The in-memory store's cost per request: a claim of a new key plus its complete, and a claim
 * that replays. The baseline is the least any atomic claim+complete on a concurrent map can do:
 * {@code putIfAbsent} then {@code replace} on a {@link ConcurrentHashMap}.
 *
 * <p>The store is bounded (the default 100,000 records), so once warm every new key also evicts
 * the soonest-expiring completed record: the steady state a long-running service sees.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class InMemoryStoreBenchmark {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration RETENTION = Duration.ofHours(24);
  private static final int REPLAY_KEYS = 1024;

  @State(Scope.Benchmark)
  public static class Shared {
    final AtomicInteger threadIds = new AtomicInteger();
    final Fingerprint fingerprint = Fingerprint.builder().add("body", "{\"amount\":1000}").build();
    final StoredResponse response = StoredResponse.of(new byte[200]);
    final StorageKey[] replayKeys = new StorageKey[REPLAY_KEYS];
    InMemoryIdempotencyStore store;
    ConcurrentHashMap<StorageKey, Object> baseline;

    @Setup(Level.Trial)
    public void setUp() {
      store = InMemoryIdempotencyStore.create();
      baseline = new ConcurrentHashMap<>();
      for (int i = 0; i < REPLAY_KEYS; i++) {
        replayKeys[i] = key(-1, i);
        long fence = ((ClaimResult.Acquired) store.claim(replayKeys[i], fingerprint, LEASE, RETENTION)).fence();
        store.complete(replayKeys[i], fence, response);
      }
    }
  }

  @State(Scope.Thread)
  public static class PerThread {
    int threadId;
    long sequence;

    @Setup(Level.Trial)
    public void setUp(Shared shared) {
      threadId = shared.threadIds.getAndIncrement();
    }

    StorageKey nextKey() {
      return key(threadId, sequence++);
    }
  }

  @Benchmark
  public UpdateResult claimAndCompleteNewKey(Shared shared, PerThread thread) {
    StorageKey key = thread.nextKey();
    ClaimResult.Acquired acquired =
        (ClaimResult.Acquired) shared.store.claim(key, shared.fingerprint, LEASE, RETENTION);
    return shared.store.complete(key, acquired.fence(), shared.response);
  }

  @Benchmark
  public ClaimResult claimReplay(Shared shared, PerThread thread) {
    return shared.store.claim(
        shared.replayKeys[(int) (thread.sequence++ & (REPLAY_KEYS - 1))], shared.fingerprint, LEASE, RETENTION);
  }

  @Benchmark
  public void baselineConcurrentHashMap(Shared shared, PerThread thread, Blackhole blackhole) {
    StorageKey key = thread.nextKey();
    Object claim = new Object();
    blackhole.consume(shared.baseline.putIfAbsent(key, claim));
    blackhole.consume(shared.baseline.replace(key, claim, shared.response));
    if (shared.baseline.size() > 100_000) {
      shared.baseline.clear();
    }
  }

  static StorageKey key(int thread, long sequence) {
    byte[] bytes = new byte[StorageKey.LENGTH];
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (sequence >>> (8 * i));
    }
    bytes[8] = (byte) thread;
    bytes[9] = (byte) (thread >>> 8);
    return StorageKey.of(bytes);
  }
}
