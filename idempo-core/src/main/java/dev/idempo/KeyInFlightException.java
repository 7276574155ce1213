package dev.idempo;

import java.time.Duration;

/** Another caller holds the key and is still running the operation (HTTP 409). */
public class KeyInFlightException extends IdempotencyException {
  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  public KeyInFlightException(Duration retryAfter) {
    super("the operation for this idempotency key is still in progress; retry after " + retryAfter);
    this.retryAfter = retryAfter;
  }

  /** How long the current holder's lease still runs. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
