package dev.idempo;

/**
 * Carries a checked exception thrown by {@link IdempotentWork}; unchecked ones pass through as they
 * are.
 */
public class WorkFailedException extends IdempotencyException {
  private static final long serialVersionUID = 1L;

  public WorkFailedException(Throwable cause) {
    super("idempotent work failed: " + cause, cause);
  }
}
