package dev.idempo.jdbc;

/**
 * What {@link JdbcIdempotency#execute} returns: the value, and whether the work ran now or the
 * result of an earlier run was replayed. Immutable.
 */
public final class TransactionalResult<R> {
  private final R value;
  private final boolean replayed;

  private TransactionalResult(R value, boolean replayed) {
    this.value = value;
    this.replayed = replayed;
  }

  static <R> TransactionalResult<R> executed(R value) {
    return new TransactionalResult<>(value, false);
  }

  static <R> TransactionalResult<R> replayed(R value) {
    return new TransactionalResult<>(value, true);
  }

  /** The work's result: returned by it just now, or decoded from the store on a replay. */
  public R value() {
    return value;
  }

  /** True when the work did not run and the stored result of an earlier run was returned. */
  public boolean isReplayed() {
    return replayed;
  }

  @Override
  public String toString() {
    return "TransactionalResult[" + (replayed ? "REPLAYED" : "EXECUTED") + ", " + value + "]";
  }
}
