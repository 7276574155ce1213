package dev.idempo.store;

import dev.idempo.IdempotencyException;

/**
 * A bounded store is full of records it may not evict (IN_PROGRESS ones), so it cannot accept a new
 * claim.
 */
public class StoreCapacityExceededException extends IdempotencyException {
  private static final long serialVersionUID = 1L;

  public StoreCapacityExceededException(String message) {
    super(message);
  }
}
