package dev.idempo.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Waits without holding a thread: the asynchronous counterpart of {@link dev.idempo.Sleeper},
 * injected into {@link IdempotentHttpClient} so tests advance a fake clock instead of waiting.
 * Implementations must be thread-safe: one client serves many calls at once.
 */
@FunctionalInterface
public interface AsyncSleeper {
  /**
   * The real thing: a stage completed by {@link CompletableFuture#delayedExecutor} after the delay;
   * at once for zero or negative delays.
   */
  AsyncSleeper SYSTEM =
      delay -> {
        if (delay.isNegative() || delay.isZero()) {
          return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(
            () -> {}, CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS));
      };

  /** A stage that completes once {@code delay} has passed. */
  CompletionStage<Void> sleep(Duration delay);
}
