package dev.idempo.client;

import dev.idempo.IdempotencyException;

/**
 * A call reused an operation id that the {@link KeyJournal} already holds for a different request
 * (another fingerprint) or with a different idempotency key. Nothing was sent: reusing the recorded
 * key for another payload would be refused by the server (422) or, worse, replay the first
 * payload's answer to the second.
 */
public class JournalMismatchException extends IdempotencyException {
  private static final long serialVersionUID = 1L;

  private final String operationId;

  public JournalMismatchException(String operationId, String message) {
    super(message);
    this.operationId = Checks.notNull(operationId, "operationId");
  }

  /** The operation id whose journal entry disagrees with the call. */
  public String operationId() {
    return operationId;
  }
}
