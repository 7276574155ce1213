package dev.idempo;

/**
 * Observes {@link Idempotency} for metrics and logs (the starter and the gateway adapt it to
 * Micrometer). Methods run on the calling thread and must be quick and thread-safe; an exception a
 * listener throws is ignored.
 */
public interface IdempotencyListener {
  /** A listener that does nothing. */
  IdempotencyListener NONE = new IdempotencyListener() {};

  /** One call of {@link Idempotency#execute} ended with {@code outcome}. */
  default void onOutcome(Scope scope, ExecutionOutcome outcome) {}

  /**
   * One store call returned or failed.
   *
   * @param nanos how long it took
   * @param failure the exception it threw, or null
   */
  default void onStoreCall(StoreCall call, long nanos, Throwable failure) {}
}
