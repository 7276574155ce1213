package dev.idempo.http;

import dev.idempo.IdempotencyException;

/**
 * The request's {@code Idempotency-Key} header is not one valid key (HTTP 400, {@link
 * ProblemType#KEY_INVALID}): empty, too long, not visible ASCII, badly quoted, or more than one.
 * The message says which, for the problem's {@code detail}.
 */
public class InvalidIdempotencyKeyException extends IdempotencyException {
  private static final long serialVersionUID = 1L;

  public InvalidIdempotencyKeyException(String message) {
    super(message);
  }
}
