package dev.idempo.client;

import dev.idempo.IdempotencyException;

/**
 * The {@link KeyJournal} could not be read or written (I/O or database failure, unreadable entry).
 * The call it guarded was not sent: without a durable key, a crash could later resend the operation
 * under a new key and run it twice.
 */
public class JournalUnavailableException extends IdempotencyException {
  private static final long serialVersionUID = 1L;

  public JournalUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public JournalUnavailableException(String message) {
    super(message);
  }
}
