package dev.idempo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.StorageKey;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.store.UpdateResult;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PendingReleasesTest {
  private final TestClock clock = new TestClock();
  private final StorageKey key = StorageKey.of(new byte[StorageKey.LENGTH]);

  @Test
  void aReleaseIsRetriedUntilTheStoreAnswersThenForgotten() throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      PendingReleases releases = new PendingReleases(scheduler, Runnable::run, clock);
      AtomicInteger calls = new AtomicInteger();
      CountDownLatch answered = new CountDownLatch(1);

      releases.release(
          key,
          7,
          Duration.ofSeconds(30),
          () -> {
            if (calls.incrementAndGet() < 3) {
              throw new StoreUnavailableException("down", null);
            }
            answered.countDown();
            return UpdateResult.FENCE_LOST;
          });

      assertTrue(answered.await(30, TimeUnit.SECONDS));
      scheduler.shutdown(); // the calls ran on the scheduler's thread: let the last one finish
      assertTrue(scheduler.awaitTermination(30, TimeUnit.SECONDS));
      assertEquals(3, calls.get(), "two failures, then any answer ends the retries");
      assertEquals(0, releases.pending());
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void aReleaseGivesUpOncePastTheLeaseAndItsWindow() throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      PendingReleases releases = new PendingReleases(scheduler, Runnable::run, clock);
      CountDownLatch tried = new CountDownLatch(1);

      releases.release(
          key,
          7,
          Duration.ofSeconds(30),
          () -> {
            clock.advance(Duration.ofSeconds(30).plus(PendingReleases.WINDOW));
            tried.countDown();
            throw new StoreUnavailableException("down", null);
          });

      assertTrue(tried.await(30, TimeUnit.SECONDS));
      scheduler.shutdown();
      assertTrue(scheduler.awaitTermination(30, TimeUnit.SECONDS));
      assertEquals(0, releases.pending(), "given up: nothing left pending or scheduled");
    } finally {
      scheduler.shutdownNow();
    }
  }
}
