package dev.idempo.messaging;

/** What one delivery of a message came to. */
public enum ConsumeOutcome {
  /** The handler ran and its effect committed with the message's dedup record: acknowledge. */
  PROCESSED,
  /** The message was processed (or parked) before; the handler did not run: acknowledge. */
  DUPLICATE,
  /** The message is now a dead letter, with its failure; the handler's effect did not commit. */
  PARKED,
  /**
   * The handler failed (fewer times than the consumer's limit) or the database was unavailable;
   * nothing committed. Do not acknowledge: let the broker deliver it again.
   */
  FAILED;

  /** True when the broker may forget the message: every outcome but {@link #FAILED}. */
  public boolean settled() {
    return this != FAILED;
  }
}
