package dev.idempo.jdbc;

import java.sql.Connection;

/**
 * The work {@link JdbcIdempotency} runs at most once per key, inside the transaction that also
 * stores the key and its result.
 */
@FunctionalInterface
public interface TransactionalWork<R> {
  /**
   * Does the work's reads and writes on {@code connection}, inside the transaction; must not
   * commit, roll back or change its auto-commit mode.
   *
   * @return the result to store and replay; encoded by the {@link dev.idempo.ResultCodec} given to
   *     {@code execute}
   * @throws Exception to roll the transaction back: nothing is stored, so a retry runs the work
   */
  R run(Connection connection) throws Exception;
}
