package dev.idempo.http;

import dev.idempo.store.StoredRecordUnreadableException;

/**
 * A stored response cannot be decoded: it is corrupt, in a format version this Idempo does not
 * read, encrypted with a key id that is not configured, or fails authentication. The message names
 * the cause (never key material). {@link HttpIdempotency} answers such a replay with {@link
 * ProblemType#STORED_RESPONSE_UNREADABLE} and never runs the operation again.
 */
public class StoredResponseUnreadableException extends StoredRecordUnreadableException {
  private static final long serialVersionUID = 1L;

  public StoredResponseUnreadableException(String message) {
    super(message);
  }

  public StoredResponseUnreadableException(String message, Throwable cause) {
    super(message, cause);
  }
}
