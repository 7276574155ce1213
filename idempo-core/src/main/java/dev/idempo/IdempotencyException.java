package dev.idempo;

/** The base type of every exception Idempo throws for an idempotency condition. */
public class IdempotencyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public IdempotencyException(String message) {
    super(message);
  }

  public IdempotencyException(String message, Throwable cause) {
    super(message, cause);
  }
}
