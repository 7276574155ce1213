package dev.idempo.messaging;

import java.sql.Connection;

/**
 * The handler of the transactional form: its writes on {@code connection} commit together with the
 * message's dedup record, or not at all.
 */
@FunctionalInterface
public interface TransactionalHandler {
  /**
   * Handles {@code message} on {@code connection}, inside the transaction; must not commit, roll
   * back or change auto-commit.
   *
   * @throws Exception to roll everything back; the message counts one failure
   */
  void handle(Connection connection, Message message) throws Exception;
}
