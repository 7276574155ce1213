package dev.idempo;

/**
 * The operation failed earlier with an exception that the policy stores (one its {@link
 * IdempotencyPolicy.Builder#releaseFailuresIf} predicate does not release); a replay throws this
 * with the original exception's class name and message.
 */
public class StoredFailureException extends IdempotencyException {
  private static final long serialVersionUID = 1L;

  private final String failureClassName;
  private final String failureMessage;

  public StoredFailureException(String failureClassName, String failureMessage) {
    super("the operation failed earlier with " + failureClassName + ": " + failureMessage);
    this.failureClassName = failureClassName;
    this.failureMessage = failureMessage;
  }

  public String failureClassName() {
    return failureClassName;
  }

  public String failureMessage() {
    return failureMessage;
  }
}
