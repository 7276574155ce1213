package dev.idempo.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoreUnavailableException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Group commit on SQLite files in WAL mode. Failures come from the database itself: a trigger that
 * raises for a poisoned key, and a deferred foreign key that fails at COMMIT.
 */
class SqliteGroupCommitTest extends GroupCommitContract {
  private static SqliteDatabases databases;
  private SQLiteDataSource dataSource;

  @BeforeAll
  static void createDirectory() {
    databases = new SqliteDatabases();
  }

  @AfterAll
  static void deleteDirectory() throws IOException {
    databases.close();
  }

  @Override
  JdbcIdempotencyStore.Builder freshStore() {
    String url = databases.newDatabase().getUrl();
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(10_000);
    config.enforceForeignKeys(true); // for the deferred foreign key that fails commits
    dataSource = new SQLiteDataSource(config);
    dataSource.setUrl(url);
    return JdbcIdempotencyStore.builder(dataSource);
  }

  @Test
  void aBatchThatGetsNoConnectionFailsEveryOperationAndWritesNothing() throws Exception {
    freshStore(); // a new database file and its dataSource; the store gets a pool on it
    HikariConfig config = new HikariConfig();
    config.setDataSource(dataSource);
    config.setMaximumPoolSize(2);
    HikariDataSource pool = new HikariDataSource(config);
    JdbcIdempotencyStore store =
        open(JdbcIdempotencyStore.builder(pool), GroupCommit.DEFAULT_MAX_BATCH);
    List<StorageKey> keys = List.of(newKey(), newKey(), newKey());
    beforeNextBatch(
        () -> {
          awaitQueued(keys.size());
          pool.close(); // the batch then asks a closed pool for its connection
        });

    List<Object> results =
        all(
            keys.size(),
            i -> {
              try {
                return store.claim(keys.get(i), FINGERPRINT, LEASE, RETENTION);
              } catch (StoreUnavailableException e) {
                return e;
              }
            });

    for (int i = 0; i < keys.size(); i++) {
      StoreUnavailableException failure =
          assertInstanceOf(StoreUnavailableException.class, results.get(i), "" + results);
      assertTrue(failure.getMessage().contains("nothing was written"), failure.getMessage());
      assertEquals(-1, committedFence(keys.get(i)));
    }
  }

  @Override
  Connection independentConnection() throws SQLException {
    return dataSource.getConnection(); // SQLiteDataSource opens a new connection every time
  }

  @Override
  String recordsTable() {
    return "idempo_records";
  }

  @Override
  void failStatementsOn(StorageKey key) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement ddl = connection.createStatement()) {
      ddl.execute("CREATE TABLE poisoned (k BLOB PRIMARY KEY)");
      for (String event : new String[] {"INSERT", "UPDATE"}) {
        ddl.execute(
            "CREATE TRIGGER poison_"
                + event
                + " BEFORE "
                + event
                + " ON idempo_records"
                + " WHEN NEW.storage_key IN (SELECT k FROM poisoned)"
                + " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
      }
      insert(connection, "poisoned", key);
    }
  }

  @Override
  void failCommitsThatWrote(StorageKey key) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement ddl = connection.createStatement()) {
      ddl.execute("CREATE TABLE nowhere (k BLOB PRIMARY KEY)");
      ddl.execute(
          "CREATE TABLE dangling (k BLOB REFERENCES nowhere (k) DEFERRABLE INITIALLY DEFERRED)");
      ddl.execute("CREATE TABLE poisoned_commit (k BLOB PRIMARY KEY)");
      ddl.execute(
          "CREATE TRIGGER poison_commit AFTER INSERT ON idempo_records"
              + " WHEN NEW.storage_key IN (SELECT k FROM poisoned_commit)"
              + " BEGIN INSERT INTO dangling (k) VALUES (NEW.storage_key); END");
      insert(connection, "poisoned_commit", key);
    }
  }

  private static void insert(Connection connection, String table, StorageKey key)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO " + table + " (k) VALUES (?)")) {
      insert.setBytes(1, key.toBytes());
      insert.executeUpdate();
    }
  }
}
