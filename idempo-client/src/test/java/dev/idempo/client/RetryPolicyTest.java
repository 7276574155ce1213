package dev.idempo.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final FakeClock clock = new FakeClock();

  private RetryPolicy.Builder policy(long seed) {
    return RetryPolicy.builder().clock(clock).random(new Random(seed)).sleeper(clock::advance);
  }

  @Test
  void fullJitterStaysWithinTheExponentialCeilingAndUsesIt() {
    long seed = new Random().nextLong();
    RetryPolicy policy =
        policy(seed)
            .baseDelay(Duration.ofMillis(100))
            .maxDelay(Duration.ofSeconds(2))
            .maxAttempts(100)
            .maxTotalTime(Duration.ofDays(1))
            .build();

    for (int retry = 0; retry < 8; retry++) {
      long ceiling = Math.min(2_000, 100L << retry);
      long max = 0;
      for (int sample = 0; sample < 400; sample++) {
        long delay = policy.backoff(retry).toMillis();
        assertTrue(
            delay >= 0 && delay <= ceiling,
            "seed " + seed + ": retry " + retry + " delay " + delay + " > " + ceiling);
        max = Math.max(max, delay);
      }
      assertTrue(
          max > ceiling * 0.8,
          "seed "
              + seed
              + ": retry "
              + retry
              + " never came near its ceiling "
              + ceiling
              + " (max "
              + max
              + ")");
    }
  }

  @Test
  void givesUpAfterMaxAttempts() {
    RetryPolicy.Call call = policy(1).maxAttempts(3).build().newCall();

    assertTrue(call.onRetryableFailure(null).shouldRetry());
    assertEquals(2, call.attempts());
    assertTrue(call.onRetryableFailure(null).shouldRetry());
    assertEquals(3, call.attempts());
    RetryPolicy.Decision last = call.onRetryableFailure(null);
    assertFalse(last.shouldRetry());
    assertEquals(RetryPolicy.GiveUpReason.MAX_ATTEMPTS, last.reason());
    assertThrows(IllegalStateException.class, last::delay);
  }

  @Test
  void aServerDelayIsHonouredExactlyUpToTheCap() {
    RetryPolicy policy = policy(1).maxAttempts(5).maxServerDelay(Duration.ofSeconds(10)).build();
    RetryPolicy.Call call = policy.newCall();

    assertEquals(Duration.ofSeconds(7), call.onRetryableFailure(Duration.ofSeconds(7)).delay());
    assertEquals(Duration.ofSeconds(10), call.onRetryableFailure(Duration.ofSeconds(10)).delay());
    RetryPolicy.Decision tooLong = call.onRetryableFailure(Duration.ofSeconds(11));
    assertEquals(RetryPolicy.GiveUpReason.SERVER_DELAY_TOO_LONG, tooLong.reason());
    assertThrows(
        IllegalArgumentException.class, () -> call.onRetryableFailure(Duration.ofSeconds(-1)));
  }

  @Test
  void noRetryStartsPastTheTotalTime() throws Exception {
    RetryPolicy policy =
        policy(1)
            .maxAttempts(100)
            .maxTotalTime(Duration.ofSeconds(10))
            .maxServerDelay(Duration.ofSeconds(60))
            .build();
    RetryPolicy.Call call = policy.newCall();

    RetryPolicy.Decision first = call.onRetryableFailure(Duration.ofSeconds(4));
    call.sleep(first.delay());
    RetryPolicy.Decision second = call.onRetryableFailure(Duration.ofSeconds(4));
    call.sleep(second.delay());
    RetryPolicy.Decision third = call.onRetryableFailure(Duration.ofSeconds(4));

    assertTrue(second.shouldRetry(), "8 s of 10 s used");
    assertEquals(RetryPolicy.GiveUpReason.MAX_TOTAL_TIME, third.reason(), "8 s + 4 s > 10 s");
  }

  @Test
  void sleepingUsesTheInjectedSleeper() throws Exception {
    List<Duration> slept = new ArrayList<>();
    RetryPolicy policy = RetryPolicy.builder().sleeper(slept::add).build();

    policy.newCall().sleep(Duration.ofMillis(250));

    assertEquals(List.of(Duration.ofMillis(250)), slept);
  }

  @Test
  void aSharedBudgetStopsRetriesDuringAnOutage() {
    RetryBudget budget =
        RetryBudget.builder().ratio(0.1).minRetriesPerSecond(0).maxTokens(2).clock(clock).build();
    RetryPolicy policy = policy(1).maxAttempts(10).budget(budget).build();

    List<RetryPolicy.Decision> decisions = new ArrayList<>();
    for (int call = 0; call < 20; call++) {
      decisions.add(policy.newCall().onRetryableFailure(null));
    }

    long retried = decisions.stream().filter(RetryPolicy.Decision::shouldRetry).count();
    // Starts with 2 tokens; 20 calls deposit 0.1 each = 2 more, so 4 retries at most.
    assertTrue(retried >= 3 && retried <= 4, "retried " + retried + " of 20");
    assertEquals(RetryPolicy.GiveUpReason.BUDGET_EXHAUSTED, decisions.get(19).reason());
  }

  @Test
  void theBudgetFloorRefillsWithTime() {
    RetryBudget budget =
        RetryBudget.builder().ratio(0).minRetriesPerSecond(2).maxTokens(1).clock(clock).build();

    assertTrue(budget.tryAcquireRetry());
    assertFalse(budget.tryAcquireRetry());
    clock.advance(Duration.ofMillis(499));
    assertFalse(budget.tryAcquireRetry());
    clock.advance(Duration.ofMillis(1));
    assertTrue(budget.tryAcquireRetry());
    clock.advance(Duration.ofHours(1));
    assertEquals(1.0, budget.available(), 1e-9, "never more than maxTokens");
  }

  @Test
  void buildersRejectBadValuesNamingThem() {
    RetryPolicy.Builder builder = RetryPolicy.builder();
    assertNames("maxAttempts", () -> builder.maxAttempts(0));
    assertNames("maxAttempts", () -> builder.maxAttempts(101));
    assertNames("baseDelay", () -> builder.baseDelay(Duration.ZERO));
    assertNames("maxDelay", () -> builder.maxDelay(Duration.ofHours(2)));
    assertNames("maxTotalTime", () -> builder.maxTotalTime(Duration.ofSeconds(-1)));
    assertNames("maxServerDelay", () -> builder.maxServerDelay(Duration.ofSeconds(-1)));
    assertNames(
        "maxDelay",
        () ->
            RetryPolicy.builder()
                .baseDelay(Duration.ofSeconds(2))
                .maxDelay(Duration.ofSeconds(1))
                .build());
    assertNames("ratio", () -> RetryBudget.builder().ratio(1.5));
    assertNames("ratio", () -> RetryBudget.builder().ratio(Double.NaN));
    assertNames("maxTokens", () -> RetryBudget.builder().maxTokens(0.5));
    assertNames("minRetriesPerSecond", () -> RetryBudget.builder().minRetriesPerSecond(-1));
    assertThrows(NullPointerException.class, () -> builder.sleeper(null));
  }

  @Test
  void defaultsAreDocumented() {
    RetryPolicy defaults = RetryPolicy.defaults();
    assertEquals(3, defaults.maxAttempts());
    assertEquals(Duration.ofMillis(100), defaults.baseDelay());
    assertEquals(Duration.ofSeconds(5), defaults.maxDelay());
    assertEquals(Duration.ofSeconds(30), defaults.maxTotalTime());
    assertEquals(Duration.ofSeconds(60), defaults.maxServerDelay());
    assertFalse(defaults.budget().isPresent());
    assertEquals(defaults.toString(), defaults.toBuilder().build().toString());
  }

  private static void assertNames(String argument, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(
        e.getMessage().contains(argument),
        "message should name " + argument + ": " + e.getMessage());
  }
}
