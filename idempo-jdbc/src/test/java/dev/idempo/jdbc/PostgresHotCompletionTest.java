package dev.idempo.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.IdempotencyRecord;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Schema version 3 on PostgreSQL: completing a record changes no indexed column, so PostgreSQL
 * updates the row in place (a HOT update, no new index entries); and a version 2 table, with
 * records completed the old way, migrates and keeps answering as before.
 */
class PostgresHotCompletionTest {
  private static final Fingerprint FINGERPRINT = Fingerprint.of(new byte[] {7});
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration RETENTION = Duration.ofMinutes(5);

  @Test
  void completingIsAHotUpdateOnPostgres() throws SQLException {
    DataSource dataSource = PostgresDatabase.pool();
    String prefix = PostgresDatabase.freshPrefix();
    try {
      JdbcIdempotencyStore store =
          JdbcIdempotencyStore.builder(dataSource).tablePrefix(prefix).build();
      int records = 20;
      for (int i = 0; i < records; i++) {
        StorageKey key = StoreUnavailableTest.newKey();
        long fence = acquire(store, key);
        assertEquals(
            UpdateResult.APPLIED, store.complete(key, fence, StoredResponse.of(new byte[100])));
      }

      // Statistics reach the shared view within seconds of each transaction (PostgreSQL 15).
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> updates(dataSource, prefix)[0] >= records);
      long[] updates = updates(dataSource, prefix);
      assertEquals(records, updates[0], "completions");
      assertEquals(records, updates[1], "completions updated in place (HOT)");
      assertEquals(SchemaMigrations.FILLFACTOR, fillfactor(dataSource, prefix));
    } finally {
      PostgresDatabase.drop(dataSource, prefix);
    }
  }

  @Test
  void aVersion2TableWithRecordsCompletedTheOldWayMigratesAndKeepsThem() throws SQLException {
    DataSource dataSource = PostgresDatabase.pool();
    String prefix = PostgresDatabase.freshPrefix();
    TableNames tables = new TableNames(prefix);
    long completedAt = System.currentTimeMillis() - 1_000;
    try {
      try (Connection connection = dataSource.getConnection()) {
        for (int version = 1; version <= 2; version++) {
          SchemaMigrations.apply(connection, Dialect.POSTGRESQL, tables, version);
        }
        execute(
            connection,
            "CREATE TABLE "
                + tables.schemaVersion()
                + " (version INTEGER PRIMARY KEY, description VARCHAR(200) NOT NULL,"
                + " applied_at BIGINT NOT NULL)");
        execute(
            connection,
            "INSERT INTO " + tables.schemaVersion() + " VALUES (1, 'v1', 0), (2, 'v2', 0)");
        // A record completed by version 2: expires_at = completed_at + retention_ms.
        execute(
            connection,
            "INSERT INTO "
                + tables.records()
                + " (storage_key, format_version, state, fingerprint, fence, takeovers,"
                + " claimed_at, lease_expires_at, expires_at, retention_ms, completed_at, response)"
                + " VALUES ('\\x"
                + "01".repeat(StorageKey.LENGTH)
                + "', 1, 'COMPLETED', '\\x"
                + java.util.HexFormat.of().formatHex(FINGERPRINT.toBytes())
                + "', 1, 0, "
                + (completedAt - 10)
                + ", "
                + (completedAt + 29_990)
                + ", "
                + (completedAt + RETENTION.toMillis())
                + ", "
                + RETENTION.toMillis()
                + ", "
                + completedAt
                + ", '\\x"
                + "02".repeat(3)
                + "')");
      }

      JdbcIdempotencyStore store =
          JdbcIdempotencyStore.builder(dataSource).tablePrefix(prefix).build();

      assertEquals(List.of(1, 2, 3), SchemaMigrationsTest.versions(dataSource, prefix));
      StorageKey old = StorageKey.of(filled((byte) 1));
      ClaimResult replay = store.claim(old, FINGERPRINT, LEASE, RETENTION);
      assertEquals(
          StoredResponse.of(new byte[] {2, 2, 2}),
          assertInstanceOf(ClaimResult.Replay.class, replay).response());
      // Still completed_at + retention_ms, as version 2 wrote it.
      IdempotencyRecord record = store.find(old).orElseThrow();
      assertEquals(Instant.ofEpochMilli(completedAt + RETENTION.toMillis()), record.expiresAt());
      assertEquals(SchemaMigrations.FILLFACTOR, fillfactor(dataSource, prefix));
    } finally {
      PostgresDatabase.drop(dataSource, prefix);
    }
  }

  private static long acquire(JdbcIdempotencyStore store, StorageKey key) {
    return assertInstanceOf(
            ClaimResult.Acquired.class, store.claim(key, FINGERPRINT, LEASE, RETENTION))
        .fence();
  }

  private static byte[] filled(byte value) {
    byte[] bytes = new byte[StorageKey.LENGTH];
    java.util.Arrays.fill(bytes, value);
    return bytes;
  }

  /** Updates of the records table, and how many of them were HOT. */
  private static long[] updates(DataSource dataSource, String prefix) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = '"
                    + prefix
                    + "records'")) {
      return row.next() ? new long[] {row.getLong(1), row.getLong(2)} : new long[] {0, 0};
    }
  }

  private static int fillfactor(DataSource dataSource, String prefix) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT reloptions FROM pg_class WHERE relname = '" + prefix + "records'")) {
      row.next();
      String options = String.valueOf(row.getString(1));
      List<String> found = new ArrayList<>();
      for (String option : options.replaceAll("[{}]", "").split(",", -1)) {
        if (option.startsWith("fillfactor=")) {
          found.add(option.substring("fillfactor=".length()));
        }
      }
      return found.isEmpty() ? 100 : Integer.parseInt(found.get(0));
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
