package dev.idempo.webhooks;

import java.sql.Connection;

/**
 * Processes one verified event inside the database transaction that also records its event id
 * (transactional mode, PostgreSQL or SQLite): the event counts as processed exactly when the
 * handler's writes commit.
 */
@FunctionalInterface
public interface TransactionalWebhookHandler {
  /**
   * Processes {@code event} with reads and writes on {@code connection}; must not commit, roll back
   * or change auto-commit.
   *
   * @throws Exception to roll everything back and answer 500, so the sender's retry runs it again
   */
  void handle(WebhookEvent event, Connection connection) throws Exception;
}
