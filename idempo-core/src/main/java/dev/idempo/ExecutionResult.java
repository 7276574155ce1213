package dev.idempo;

/**
 * What {@link Idempotency#execute} returns: the value, and whether the work ran now or its earlier
 * outcome was replayed. Immutable.
 */
public final class ExecutionResult<R> {
  private final R value;
  private final ExecutionOutcome outcome;

  ExecutionResult(R value, ExecutionOutcome outcome) {
    this.value = value;
    this.outcome = outcome;
  }

  /** The work's result: returned by it just now, or decoded from the store on a replay. */
  public R value() {
    return value;
  }

  /**
   * {@link ExecutionOutcome#EXECUTED}, {@link ExecutionOutcome#REPLAYED} or {@link
   * ExecutionOutcome#RELEASED}.
   */
  public ExecutionOutcome outcome() {
    return outcome;
  }

  /** True when the work did not run and the stored outcome of an earlier run was returned. */
  public boolean isReplayed() {
    return outcome == ExecutionOutcome.REPLAYED;
  }

  @Override
  public String toString() {
    return "ExecutionResult[" + outcome + ", " + value + "]";
  }
}
