package dev.idempo;

/**
 * The caller's claim was taken over (its lease ran out) or ended, so its fenced update changed
 * nothing. The work may have run; its result was not stored.
 */
public class FenceLostException extends IdempotencyException {
  private static final long serialVersionUID = 1L;

  public FenceLostException(String message) {
    super(message);
  }
}
