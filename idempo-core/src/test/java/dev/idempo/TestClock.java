package dev.idempo;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/** A millisecond clock the core's tests move by hand. */
final class TestClock implements InstantSource {
  private final AtomicLong millis = new AtomicLong(1_900_000_000_000L);

  void advance(Duration duration) {
    millis.addAndGet(duration.toMillis());
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public long millis() {
    return millis.get();
  }
}
