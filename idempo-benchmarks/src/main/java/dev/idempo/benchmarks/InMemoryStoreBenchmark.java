package dev.idempo.benchmarks;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * The in-memory store's cost per request: a claim of a new key plus its complete, and a claim that
 * replays. The baseline is the least any atomic claim+complete on a concurrent map can do: {@code
 * putIfAbsent} then {@code replace} on a {@link ConcurrentHashMap}.
 *
 * <p>The store is bounded (the default 100,000 records) and never evicts a live record, so the
 * benchmark runs it on a clock that ticks {@value #TICK_NANOS} ns per reading with a {@value
 * #RETENTION_SECONDS} s retention: records expire and are reclaimed as new keys arrive, the steady
 * state of a long-running service whose live records stay under the cap.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class InMemoryStoreBenchmark {
  private static final Duration LEASE = Duration.ofSeconds(30);
  static final long TICK_NANOS = 250_000;
  static final long RETENTION_SECONDS = 10;
  private static final Duration RETENTION = Duration.ofSeconds(RETENTION_SECONDS);
  private static final Duration REPLAY_RETENTION = Duration.ofDays(1);
  private static final int REPLAY_KEYS = 1024;

  @State(Scope.Benchmark)
  public static class Shared {
    final AtomicInteger threadIds = new AtomicInteger();
    final Fingerprint fingerprint = Fingerprint.builder().add("body", "{\"amount\":1000}").build();
    final StoredResponse response = StoredResponse.of(new byte[200]);
    final StorageKey[] replayKeys = new StorageKey[REPLAY_KEYS];
    InMemoryIdempotencyStore store;
    InMemoryIdempotencyStore replayStore;
    ConcurrentHashMap<StorageKey, Object> baseline;

    @Setup(Level.Trial)
    public void setUp() {
      store = InMemoryIdempotencyStore.builder().clock(new TickingClock()).build();
      baseline = new ConcurrentHashMap<>();
      // Replays read records that stay live for the whole run: the system clock, a day's retention.
      replayStore = InMemoryIdempotencyStore.create();
      for (int i = 0; i < REPLAY_KEYS; i++) {
        replayKeys[i] = key(-1, i);
        long fence =
            ((ClaimResult.Acquired)
                    replayStore.claim(replayKeys[i], fingerprint, LEASE, REPLAY_RETENTION))
                .fence();
        replayStore.complete(replayKeys[i], fence, response);
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
    return shared.replayStore.claim(
        shared.replayKeys[(int) (thread.sequence++ & (REPLAY_KEYS - 1))],
        shared.fingerprint,
        LEASE,
        RETENTION);
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

  /**
   * Advances {@value #TICK_NANOS} ns per reading. Its {@code millis()} allocates nothing, like the
   * system clock's (the default one builds an {@link Instant} per reading, 24 B the store would
   * otherwise be charged twice per claim+complete).
   */
  static final class TickingClock implements InstantSource {
    private final AtomicLong nanos = new AtomicLong();

    @Override
    public Instant instant() {
      return Instant.ofEpochSecond(0, nanos.addAndGet(TICK_NANOS));
    }

    @Override
    public long millis() {
      return nanos.addAndGet(TICK_NANOS) / 1_000_000;
    }
  }

  /**
   * A distinct key per thread and sequence, its 32 bytes well mixed like the SHA-256 storage keys
   * of real callers: keys mostly of zero bytes collide in {@link StorageKey#hashCode()} and turn
   * the map's bins into trees (baseline included), which real keys never do.
   */
  static StorageKey key(int thread, long sequence) {
    byte[] bytes = new byte[StorageKey.LENGTH];
    long seed = sequence * 0x9E3779B97F4A7C15L + thread;
    for (int word = 0; word < 4; word++) {
      long mixed = mix(seed + word);
      for (int i = 0; i < 8; i++) {
        bytes[8 * word + i] = (byte) (mixed >>> (8 * i));
      }
    }
    return StorageKey.of(bytes);
  }

  /** A bijective 64-bit mix (SplitMix64's finalizer). */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
