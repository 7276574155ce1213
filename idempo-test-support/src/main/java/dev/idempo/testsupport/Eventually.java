package dev.idempo.testsupport;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Waits for a condition on real servers (a consumer drained, an offset stored), with Awaitility
 * polling every 50 ms. For a test that asserts with its own message once the wait is over.
 */
public final class Eventually {
  private static final Duration POLL = Duration.ofMillis(50);

  private Eventually() {}

  /** True as soon as {@code condition} holds; false if it still does not after {@code timeout}. */
  public static boolean holds(BooleanSupplier condition, Duration timeout) {
    try {
      Awaitility.await()
          .pollDelay(Duration.ZERO)
          .pollInterval(POLL)
          .atMost(timeout)
          .until(condition::getAsBoolean);
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }
}
