package dev.idempo.client;

import dev.idempo.Sleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Records every delay instead of waiting, and moves a fake clock by it, so the policy's total-time
 * and budget arithmetic see the time pass. {@link #async()} is the same thing as an {@link
 * AsyncSleeper}. Thread-safe.
 */
final class RecordingSleeper implements Sleeper {
  private final FakeClock clock;
  private final List<Duration> delays = new ArrayList<>();

  RecordingSleeper(FakeClock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized void sleep(Duration duration) {
    delays.add(duration);
    clock.advance(duration);
  }

  synchronized List<Duration> delays() {
    return List.copyOf(delays);
  }

  /** Records, advances the clock, and returns a completed stage. */
  AsyncSleeper async() {
    return delay -> {
      sleep(delay);
      return CompletableFuture.completedFuture(null);
    };
  }

  /** A {@link Sleeper} that fails the test if called: proves the async path never blocks on it. */
  static Sleeper forbidden() {
    return duration -> {
      throw new AssertionError(
          "sendAsync must not wait on the blocking Sleeper, asked for " + duration);
    };
  }
}
