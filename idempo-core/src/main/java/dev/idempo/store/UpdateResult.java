package dev.idempo.store;

/**
 * The answer of a fenced update: {@code complete}, {@code release}, {@code renew}, {@code
 * checkpoint}.
 */
public enum UpdateResult {
  /** The fence was current; the update took effect. */
  APPLIED,
  /**
   * The fence was not current (a takeover happened, or the record was released, completed or has
   * expired): nothing changed.
   */
  FENCE_LOST;

  public boolean applied() {
    return this == APPLIED;
  }
}
