package dev.idempo.store;

import dev.idempo.IdempotencyException;

/**
 * The stored bytes of a record cannot be read back: corrupt or truncated, written in a format
 * version this Idempo does not read, or failing authentication. The one type for "stored data
 * unreadable" across the stack: the core's outcome envelope, every store's record format and the
 * HTTP response codec throw it or a subclass of it, and adapters answer it (and only it) as "stored
 * response unreadable" without running the operation again. Any other exception from a store is a
 * failure of the store or a bug, never a corrupt record.
 *
 * <p>The message names what was found (never stored content or key material).
 */
public class StoredRecordUnreadableException extends IdempotencyException {
  private static final long serialVersionUID = 1L;

  public StoredRecordUnreadableException(String message) {
    super(message);
  }

  public StoredRecordUnreadableException(String message, Throwable cause) {
    super(message, cause);
  }
}
