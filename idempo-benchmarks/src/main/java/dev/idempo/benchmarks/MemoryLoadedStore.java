package dev.idempo.benchmarks;

import dev.idempo.store.ClaimResult;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * The in-memory store, filled through its own API (a claim and a complete cost a microsecond, so
 * there is no faster format to bypass it with). Expired records are written under a clock set two
 * days back. Its size is the heap in use after a full GC, less the heap in use before the store was
 * filled. Not thread-safe.
 */
final class MemoryLoadedStore implements LoadedStore {
  private static final Duration BACK = Duration.ofDays(2);

  private final ShiftedClock clock = new ShiftedClock();
  private final InMemoryIdempotencyStore store;
  private final long heapBefore;

  MemoryLoadedStore(int maxRecords) {
    this.heapBefore = heapUsedAfterGc();
    this.store = InMemoryIdempotencyStore.builder().clock(clock).maxRecords(maxRecords).build();
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public IdempotencyStore store() {
    return store;
  }

  @Override
  public void load(long from, long to) {
    try {
      for (long i = from; i < to; i++) {
        clock.back = LoadedStore.expired(i) ? BACK : Duration.ZERO;
        ClaimResult claim =
            store.claim(LoadedStore.key(i), FINGERPRINT, Duration.ofSeconds(30), LIVE_RETENTION);
        store.complete(LoadedStore.key(i), ((ClaimResult.Acquired) claim).fence(), RESPONSE);
      }
    } finally {
      clock.back = Duration.ZERO;
    }
  }

  @Override
  public long sizeBytes() {
    return heapUsedAfterGc() - heapBefore;
  }

  @Override
  public String sizeMeaning() {
    return "heap used after GC";
  }

  @Override
  public void close() {}

  @SuppressWarnings("SystemGc") // The measurement needs a settled heap, not a hint.
  private static long heapUsedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int n = 0; n < 3; n++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** The system clock, set back by {@link #back} while expired records are written. */
  private static final class ShiftedClock implements InstantSource {
    volatile Duration back = Duration.ZERO;

    @Override
    public Instant instant() {
      return Instant.now().minus(back);
    }

    @Override
    public long millis() {
      return System.currentTimeMillis() - back.toMillis();
    }
  }
}
