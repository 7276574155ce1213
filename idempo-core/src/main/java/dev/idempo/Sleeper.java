package dev.idempo;

import java.time.Duration;

/** Waits; injected wherever Idempo waits, so tests advance a fake clock instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
  /** The real thing: {@link Thread#sleep}. */
  Sleeper SYSTEM =
      duration -> {
        if (!duration.isNegative() && !duration.isZero()) {
          Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
        }
      };

  /** Waits for {@code duration}; returns at once for zero or negative durations. */
  void sleep(Duration duration) throws InterruptedException;
}
