package dev.idempo.store;

import dev.idempo.IdempotencyException;

/**
 * The store could not be reached or failed to answer; the call's effect on the store is unknown.
 * Never a silent pass-through: callers must not run the operation unprotected.
 */
public class StoreUnavailableException extends IdempotencyException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message) {
    super(message);
  }

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
