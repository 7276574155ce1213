package dev.idempo.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.store.tck.MutableClock;
import dev.idempo.testsupport.PostgresServer;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Migrations are versioned and idempotent: running them again changes nothing, running them from
 * many threads on separate connections at once is safe, and a schema newer than this code is
 * refused naming its version.
 */
class SchemaMigrationsTest {
  private static final int THREADS = 8;
  private static SqliteDatabases sqlite;

  @BeforeAll
  static void createDatabases() {
    sqlite = new SqliteDatabases();
  }

  @AfterAll
  static void deleteDatabases() throws IOException {
    sqlite.close();
  }

  @Test
  void migratingTwiceChangesNothingOnPostgres() throws SQLException {
    String prefix = PostgresDatabase.freshPrefix();
    DataSource dataSource = PostgresDatabase.pool();
    try {
      assertMigratingTwiceChangesNothing(dataSource, Dialect.POSTGRESQL, prefix);
    } finally {
      PostgresDatabase.drop(dataSource, prefix);
    }
  }

  @Test
  void migratingTwiceChangesNothingOnSqlite() throws SQLException {
    assertMigratingTwiceChangesNothing(sqlite.newDatabase(), Dialect.SQLITE, "idempo_");
  }

  private static void assertMigratingTwiceChangesNothing(
      DataSource dataSource, Dialect dialect, String prefix) throws SQLException {
    TableNames tables = new TableNames(prefix);
    try (Connection connection = dataSource.getConnection()) {
      assertEquals(0, SchemaMigrations.migrate(connection, dialect, tables, MutableClock.start()));
      assertEquals(
          SchemaMigrations.CURRENT_VERSION,
          SchemaMigrations.migrate(connection, dialect, tables, MutableClock.start()));
      // Every step is idempotent on its own too, should a version row ever be lost.
      for (int version = 1; version <= SchemaMigrations.CURRENT_VERSION; version++) {
        SchemaMigrations.apply(connection, dialect, tables, version);
      }
    }
    assertEquals(List.of(1, 2, 3), versions(dataSource, prefix));
  }

  @Test
  void concurrentMigrationsOnSeparatePostgresConnectionsAllSucceed() throws Exception {
    DataSource unpooled = PostgresDatabase.unpooled(PostgresServer.shared().jdbcUrl());
    for (int round = 0; round < 3; round++) {
      String prefix = PostgresDatabase.freshPrefix();
      try {
        assertConcurrentMigrationsSucceed(unpooled, prefix, null);
      } finally {
        PostgresDatabase.drop(unpooled, prefix);
      }
    }
  }

  @Test
  void concurrentMigrationsOnSeparateSqliteConnectionsAllSucceed() throws Exception {
    for (int round = 0; round < 3; round++) {
      assertConcurrentMigrationsSucceed(sqlite.newDatabase(), "idempo_", MutableClock.start());
    }
  }

  private static void assertConcurrentMigrationsSucceed(
      DataSource dataSource, String prefix, MutableClock clock) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<JdbcIdempotencyStore>> builds = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        builds.add(
            pool.submit(
                () -> {
                  go.await();
                  JdbcIdempotencyStore.Builder builder =
                      JdbcIdempotencyStore.builder(dataSource).tablePrefix(prefix);
                  return (clock == null ? builder : builder.clock(clock)).build();
                }));
      }
      go.countDown();
      List<JdbcIdempotencyStore> stores = new ArrayList<>();
      for (Future<JdbcIdempotencyStore> build : builds) {
        stores.add(build.get(60, TimeUnit.SECONDS));
      }

      assertEquals(List.of(1, 2, 3), versions(dataSource, prefix));
      assertInstanceOf(
          ClaimResult.Acquired.class,
          stores
              .get(THREADS - 1)
              .claim(
                  StoreUnavailableTest.newKey(),
                  Fingerprint.of(new byte[0]),
                  Duration.ofSeconds(10),
                  Duration.ofSeconds(60)));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aNewerSchemaIsRefusedNamingItsVersion() throws SQLException {
    DataSource dataSource = sqlite.newDatabase();
    JdbcIdempotencyStore.builder(dataSource).build();
    execute(
        dataSource,
        "INSERT INTO idempo_schema_version (version, description, applied_at) VALUES (7, 'future', 0)");

    UnknownFormatVersionException thrown =
        assertThrows(
            UnknownFormatVersionException.class,
            () -> JdbcIdempotencyStore.builder(dataSource).build());

    assertEquals(7, thrown.version());
    assertTrue(thrown.getMessage().contains("schema version 7"), thrown.getMessage());
  }

  @Test
  void withoutMigrationsAMissingTableIsStoreUnavailableNotAnAbsentKey() {
    JdbcIdempotencyStore store =
        JdbcIdempotencyStore.builder(sqlite.newDatabase())
            .dialect(Dialect.SQLITE)
            .migrateSchema(false)
            .build();

    StoreUnavailableException thrown =
        assertThrows(
            StoreUnavailableException.class, () -> store.find(StoreUnavailableTest.newKey()));
    assertTrue(thrown.getMessage().contains("idempo_records"), thrown.getMessage());
  }

  @Test
  void prefixesKeepTheirTablesApart() {
    DataSource dataSource = sqlite.newDatabase();
    JdbcIdempotencyStore first = JdbcIdempotencyStore.builder(dataSource).tablePrefix("a_").build();
    JdbcIdempotencyStore second =
        JdbcIdempotencyStore.builder(dataSource).tablePrefix("b_").build();
    var key = StoreUnavailableTest.newKey();
    Fingerprint fingerprint = Fingerprint.of(new byte[0]);

    assertInstanceOf(
        ClaimResult.Acquired.class,
        first.claim(key, fingerprint, Duration.ofSeconds(10), Duration.ofSeconds(60)));
    assertInstanceOf(
        ClaimResult.Acquired.class,
        second.claim(key, fingerprint, Duration.ofSeconds(10), Duration.ofSeconds(60)));
  }

  static List<Integer> versions(DataSource dataSource, String prefix) throws SQLException {
    List<Integer> versions = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT version FROM " + prefix + "schema_version ORDER BY version")) {
      while (rows.next()) {
        versions.add(rows.getInt(1));
      }
    }
    return versions;
  }

  static void execute(DataSource dataSource, String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
