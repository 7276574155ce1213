package dev.idempo;

/**
 * An earlier holder of the key stopped without completing or releasing it, so whether the operation
 * took effect is unknown. Under {@link TakeoverPolicy#FAIL_CLOSED} this outcome is stored and every
 * retry gets it: the operation never runs twice.
 */
public class OutcomeUnknownException extends IdempotencyException {
  private static final long serialVersionUID = 1L;

  private final boolean replayed;

  public OutcomeUnknownException(boolean replayed) {
    super(
        "an earlier attempt with this idempotency key stopped before it finished; whether it took"
            + " effect is unknown, so it is not run again");
    this.replayed = replayed;
  }

  /** True when this answer was read back from the store rather than decided just now. */
  public boolean replayed() {
    return replayed;
  }
}
