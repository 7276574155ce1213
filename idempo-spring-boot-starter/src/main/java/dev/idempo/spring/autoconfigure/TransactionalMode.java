package dev.idempo.spring.autoconfigure;

import dev.idempo.store.IdempotencyStore;
import java.util.Optional;

/**
 * What runs {@code @Idempotent(transactional = true)} handlers; present only when spring-jdbc, a
 * DataSource, a transaction manager and Jackson are. Kept free of their types so the rest of the
 * starter loads without them.
 */
interface TransactionalMode {
  /**
   * Checks that {@code handler} can run in transactional mode and prepares what it needs.
   *
   * @throws IllegalStateException naming the handler and the problem if it cannot
   */
  void prepare(IdempotentHandler.Transactional handler);

  /** The store whose tables transactional mode writes, once a handler was prepared; for purging. */
  Optional<IdempotencyStore> store();
}
