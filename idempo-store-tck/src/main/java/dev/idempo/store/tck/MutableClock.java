package dev.idempo.store.tck;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand. Thread-safe. */
public final class MutableClock implements InstantSource {
  private final AtomicLong nanos;

  public MutableClock(Instant start) {
    this.nanos = new AtomicLong(start.getEpochSecond() * 1_000_000_000L + start.getNano());
  }

  /** A clock at 2030-01-01T00:00:00Z. */
  public static MutableClock start() {
    return new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
  }

  public void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("a clock only moves forward, not by " + duration);
    }
    nanos.addAndGet(duration.toNanos());
  }

  @Override
  public Instant instant() {
    long now = nanos.get();
    return Instant.ofEpochSecond(
        Math.floorDiv(now, 1_000_000_000L), Math.floorMod(now, 1_000_000_000L));
  }

  @Override
  public long millis() {
    return Math.floorDiv(nanos.get(), 1_000_000L);
  }
}
