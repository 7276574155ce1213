package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.InMemoryIdempotencyStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class QuietRenewalSchedulerTest {
  private final ScheduledThreadPoolExecutor scheduler =
      (ScheduledThreadPoolExecutor) QuietRenewalScheduler.shared();

  /** The head of the queue is what the executor signals its thread for when it changes. */
  @Test
  void schedulingARenewalDoesNotBecomeTheHeadSoDoesNotWakeTheThread() {
    ScheduledFuture<?> renewal =
        scheduler.scheduleWithFixedDelay(() -> {}, 10_000, 10_000, TimeUnit.MILLISECONDS);
    try {
      assertTrue(scheduler.getQueue().contains(renewal));
      assertNotSame(renewal, scheduler.getQueue().peek());
    } finally {
      renewal.cancel(false);
    }
    assertFalse(scheduler.getQueue().contains(renewal), "a cancelled renewal leaves the queue");
  }

  @Test
  void aTaskDueBeforeTheTickStillRuns() throws InterruptedException {
    CountDownLatch ran = new CountDownLatch(1);
    // The latch says whether it ran.
    ScheduledFuture<?> unused = scheduler.schedule(ran::countDown, 1, TimeUnit.MILLISECONDS);

    assertTrue(ran.await(30, TimeUnit.SECONDS));
  }

  @Test
  void httpIdempotencyRenewsOnItByDefault() throws IOException {
    HttpIdempotency idempotency =
        HttpIdempotency.builder(InMemoryIdempotencyStore.create())
            .route(IdempotencyRoute.builder("/payments").build())
            .build();
    IncomingRequest request =
        IncomingRequest.of(
            "POST",
            "/payments",
            "",
            Map.of("Idempotency-Key", List.of("k-1"), "Authorization", List.of("Bearer t")),
            "{}".getBytes(StandardCharsets.UTF_8));
    int before = scheduler.getQueue().size();

    HttpAttempt attempt =
        assertInstanceOf(Decision.Proceed.class, idempotency.begin(request)).attempt();
    try {
      assertEquals(before + 1, scheduler.getQueue().size(), "the attempt's renewal is queued here");
    } finally {
      attempt.close();
    }
    assertEquals(before, scheduler.getQueue().size());
  }
}
