package dev.idempo;

/** The key was used before with a different request (HTTP 422). */
public class FingerprintMismatchException extends IdempotencyException {
  private static final long serialVersionUID = 1L;

  public FingerprintMismatchException() {
    super("this idempotency key was already used with a different request");
  }
}
