package dev.idempo.client;

import dev.idempo.IdempotencyKey;
import java.io.IOException;
import java.util.Optional;

/**
 * Every attempt of a call failed with an I/O error (connection refused or reset, timeout, response
 * lost) and the {@link RetryPolicy} allows no more. The last failure is the {@linkplain #getCause()
 * cause}; the message says how many attempts were made and why the client stopped.
 *
 * <p>An {@link IOException}, like the failure it reports, so that callers of {@link
 * IdempotentHttpClient#send} keep catching what {@link java.net.http.HttpClient#send} throws. When
 * the call carried an idempotency key, the outcome is unknown but safe to settle: resend with the
 * same {@link #key()} and the server runs the operation at most once.
 */
public class RetriesExhaustedException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int attempts;
  private final RetryPolicy.GiveUpReason reason;
  private final transient IdempotencyKey key;

  public RetriesExhaustedException(
      String request,
      int attempts,
      RetryPolicy.GiveUpReason reason,
      IdempotencyKey key,
      IOException lastFailure) {
    super(message(request, attempts, reason, key, lastFailure), lastFailure);
    this.attempts = attempts;
    this.reason = Checks.notNull(reason, "reason");
    this.key = key;
  }

  private static String message(
      String request,
      int attempts,
      RetryPolicy.GiveUpReason reason,
      IdempotencyKey key,
      IOException lastFailure) {
    return request
        + " failed after "
        + attempts
        + (attempts == 1 ? " attempt" : " attempts")
        + "; gave up because "
        + describe(reason)
        + " ("
        + reason
        + ")"
        + (key != null ? "; Idempotency-Key " + key.value() + " is safe to resend" : "")
        + "; last failure: "
        + lastFailure;
  }

  private static String describe(RetryPolicy.GiveUpReason reason) {
    return switch (reason) {
      case MAX_ATTEMPTS -> "the retry policy allows no more attempts";
      case MAX_TOTAL_TIME -> "the next retry would start after the policy's maximum total time";
      case SERVER_DELAY_TOO_LONG ->
          "the server asked for a longer delay than the policy's maximum server delay";
      case BUDGET_EXHAUSTED -> "the shared retry budget is spent";
      default -> reason.name();
    };
  }

  /** Attempts made, the first included. */
  public int attempts() {
    return attempts;
  }

  /** Why the client stopped retrying. */
  public RetryPolicy.GiveUpReason reason() {
    return reason;
  }

  /** The key every attempt carried; empty when the request had none. */
  public Optional<IdempotencyKey> key() {
    return Optional.ofNullable(key);
  }
}
