package dev.idempo.webhooks;

import java.util.Objects;

/**
 * A delivery failed verification: {@link #reason()} says why. The message is safe to send back to
 * the sender and to log: it never holds a secret, an expected signature or the body.
 */
public final class WebhookVerificationException extends RuntimeException {
  private final RefusalReason reason;

  /**
   * @throws NullPointerException if an argument is null
   */
  public WebhookVerificationException(RefusalReason reason, String message) {
    super(Objects.requireNonNull(message, "message must not be null"), null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason must not be null");
  }

  public RefusalReason reason() {
    return reason;
  }
}
