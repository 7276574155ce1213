package dev.idempo.jdbc;

import dev.idempo.store.StorageKey;
import dev.idempo.testsupport.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;

/**
 * Group commit on a real PostgreSQL server, where a failed statement aborts the transaction (so the
 * savepoint is what lets the others commit). Failures come from the server: a trigger that raises
 * for a poisoned key, and a deferred constraint trigger that raises at COMMIT.
 */
class PostgresGroupCommitTest extends GroupCommitContract {
  private String prefix;

  @Override
  JdbcIdempotencyStore.Builder freshStore() {
    prefix = PostgresDatabase.freshPrefix();
    return JdbcIdempotencyStore.builder(PostgresDatabase.pool()).tablePrefix(prefix);
  }

  @AfterEach
  void dropTables() throws SQLException {
    DataSource pool = PostgresDatabase.pool();
    PostgresDatabase.drop(pool, prefix);
    try (Connection connection = pool.getConnection();
        Statement ddl = connection.createStatement()) {
      ddl.execute("DROP TABLE IF EXISTS " + prefix + "poisoned, " + prefix + "poisoned_commit");
      ddl.execute("DROP FUNCTION IF EXISTS " + prefix + "poison() CASCADE");
      ddl.execute("DROP FUNCTION IF EXISTS " + prefix + "poison_commit() CASCADE");
    }
  }

  @Override
  Connection independentConnection() throws SQLException {
    return PostgresDatabase.unpooled(PostgresServer.shared().jdbcUrl()).getConnection();
  }

  @Override
  String recordsTable() {
    return prefix + "records";
  }

  @Override
  void failStatementsOn(StorageKey key) throws SQLException {
    poison("poisoned", "poison", "BEFORE", "", key);
  }

  @Override
  void failCommitsThatWrote(StorageKey key) throws SQLException {
    poison("poisoned_commit", "poison_commit", "AFTER", "DEFERRABLE INITIALLY DEFERRED", key);
  }

  private void poison(String table, String function, String when, String deferred, StorageKey key)
      throws SQLException {
    try (Connection connection = PostgresDatabase.pool().getConnection();
        Statement ddl = connection.createStatement()) {
      ddl.execute("CREATE TABLE " + prefix + table + " (k BYTEA PRIMARY KEY)");
      ddl.execute(
          "CREATE FUNCTION "
              + prefix
              + function
              + "() RETURNS trigger LANGUAGE plpgsql AS $$"
              + " BEGIN IF EXISTS (SELECT 1 FROM "
              + prefix
              + table
              + " WHERE k = NEW.storage_key) THEN RAISE EXCEPTION 'injected failure'; END IF;"
              + " RETURN NEW; END $$");
      ddl.execute(
          "CREATE "
              + (deferred.isEmpty() ? "" : "CONSTRAINT ")
              + "TRIGGER "
              + prefix
              + function
              + " "
              + when
              + " INSERT OR UPDATE ON "
              + prefix
              + "records "
              + deferred
              + " FOR EACH ROW EXECUTE FUNCTION "
              + prefix
              + function
              + "()");
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO " + prefix + table + " (k) VALUES (?)")) {
        insert.setBytes(1, key.toBytes());
        insert.executeUpdate();
      }
    }
  }
}
