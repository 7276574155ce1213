package dev.idempo;

/** How one call of {@link Idempotency#execute} ended; what {@link IdempotencyListener} counts. */
public enum ExecutionOutcome {
  /** The work ran and its outcome (result or failure) was stored for replay. */
  EXECUTED,
  /** The work did not run; the stored outcome of an earlier run was returned. */
  REPLAYED,
  /** The work ran and the policy released the key, so a retry runs it again. */
  RELEASED,
  /** Another caller was still running the work. */
  IN_FLIGHT,
  /** The key was used before with a different request. */
  MISMATCH,
  /** An earlier holder stopped mid-way; the outcome is unknown and was answered as such. */
  OUTCOME_UNKNOWN,
  /** The work ran, but its claim had been taken over, so its outcome was not stored. */
  FENCE_LOST
}
