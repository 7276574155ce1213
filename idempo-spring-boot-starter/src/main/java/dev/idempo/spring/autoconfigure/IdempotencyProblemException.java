package dev.idempo.spring.autoconfigure;

import dev.idempo.IdempotencyException;
import dev.idempo.http.CapturedResponse;
import java.util.Objects;

/**
 * Thrown by the transactional advice when Idempo answers a request itself (422, 409, 503, ...);
 * {@link IdempotencyProblemResolver} sends {@link #problem()}.
 */
final class IdempotencyProblemException extends IdempotencyException {
  private static final long serialVersionUID = 1L;

  private final transient CapturedResponse problem;

  IdempotencyProblemException(CapturedResponse problem, Throwable cause) {
    super(
        "answered with problem "
            + Objects.requireNonNull(problem, "problem must not be null").status(),
        cause);
    this.problem = problem;
  }

  CapturedResponse problem() {
    return problem;
  }
}
