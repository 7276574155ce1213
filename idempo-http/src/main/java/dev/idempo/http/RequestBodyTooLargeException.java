package dev.idempo.http;

import dev.idempo.IdempotencyException;

/**
 * A request body is longer than the limit on fingerprinted bodies (HTTP 413, {@link
 * ProblemType#BODY_TOO_LARGE}). Thrown by {@link IncomingRequest#body(int)} implementations, from a
 * declared {@code Content-Length} before reading or while counting the bytes read.
 */
public class RequestBodyTooLargeException extends IdempotencyException {
  private static final long serialVersionUID = 1L;

  private final long limit;

  /**
   * @param limit the limit that was exceeded, in bytes
   * @param declaredLength the {@code Content-Length} the request declared, or -1 if it declared
   *     none and the limit was exceeded while reading
   */
  public RequestBodyTooLargeException(long limit, long declaredLength) {
    super(
        declaredLength >= 0
            ? "request body of "
                + declaredLength
                + " bytes is larger than the limit of "
                + limit
                + " bytes"
            : "request body is larger than the limit of " + limit + " bytes");
    this.limit = limit;
  }

  /** The limit that was exceeded, in bytes. */
  public long limit() {
    return limit;
  }
}
