package dev.idempo;

/**
 * What {@link Idempotency} does when it takes over a key whose earlier holder stopped without
 * completing or releasing it (its lease ran out): the outcome of that earlier run is unknown.
 */
public enum TakeoverPolicy {
  /**
   * Records and answers "outcome unknown" ({@link OutcomeUnknownException}) for this and every
   * later retry: the operation never runs twice. The default.
   */
  FAIL_CLOSED,
  /**
   * Runs the operation again. Only for work whose effect is itself idempotent downstream (it
   * forwards the key, or writes with a natural unique constraint).
   */
  REEXECUTE,
  /**
   * Runs the operation again with the earlier holder's last {@link dev.idempo.store.RecoveryPoint},
   * so multi-step work resumes after its last committed step; with no recovery point saved, behaves
   * as {@link #FAIL_CLOSED}.
   */
  RESUME
}
