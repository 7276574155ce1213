package dev.idempo.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.IdempotencyRecord;
import dev.idempo.store.RecordState;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import dev.idempo.store.tck.MutableClock;
import dev.idempo.testsupport.PostgresServer;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The builder's checks, the response cap, unknown record formats and connection handling. */
class JdbcIdempotencyStoreTest {
  private static final Fingerprint FINGERPRINT = Fingerprint.of(new byte[] {42});
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration RETENTION = Duration.ofMinutes(5);
  private static SqliteDatabases sqlite;

  @BeforeAll
  static void createDatabases() {
    sqlite = new SqliteDatabases();
  }

  @AfterAll
  static void deleteDatabases() throws IOException {
    sqlite.close();
  }

  // ------------------------------------------------------------------------------------ builder

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "1abc",
        "idempo-",
        "a b",
        "x;DROP TABLE y",
        "é_",
        "a23456789012345678901234567890123456789012"
      })
  void aBadTablePrefixIsRejectedNamingIt(String prefix) {
    IllegalArgumentException thrown =
        assertThrows(
            IllegalArgumentException.class,
            () -> JdbcIdempotencyStore.builder(sqlite.newDatabase()).tablePrefix(prefix));
    assertTrue(thrown.getMessage().contains("tablePrefix"), thrown.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, JdbcIdempotencyStore.MAX_RESPONSE_BYTES_LIMIT + 1})
  void aBadMaxResponseBytesIsRejectedNamingIt(int max) {
    IllegalArgumentException thrown =
        assertThrows(
            IllegalArgumentException.class,
            () -> JdbcIdempotencyStore.builder(sqlite.newDatabase()).maxResponseBytes(max));
    assertTrue(thrown.getMessage().contains("maxResponseBytes"), thrown.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 10_001})
  void aBadGroupCommitMaxBatchIsRejectedNamingIt(int max) {
    IllegalArgumentException thrown =
        assertThrows(
            IllegalArgumentException.class,
            () -> JdbcIdempotencyStore.builder(sqlite.newDatabase()).groupCommitMaxBatch(max));
    assertTrue(thrown.getMessage().contains("groupCommitMaxBatch"), thrown.getMessage());
    assertTrue(thrown.getMessage().contains(String.valueOf(max)), thrown.getMessage());
  }

  @Test
  void groupCommitIsSqlitesDefaultAndCanBeTurnedOff() {
    assertTrue(JdbcIdempotencyStore.builder(sqlite.newDatabase()).build().groupCommits());
    JdbcIdempotencyStore withoutGroupCommit =
        JdbcIdempotencyStore.builder(sqlite.newDatabase()).groupCommit(false).build();
    assertFalse(withoutGroupCommit.groupCommits());
  }

  @Test
  void postgresRefusesAClockBecauseItFollowsTheServers() {
    JdbcIdempotencyStore.Builder builder =
        JdbcIdempotencyStore.builder(
                PostgresDatabase.unpooled("jdbc:postgresql://127.0.0.1:1/none"))
            .dialect(Dialect.POSTGRESQL)
            .migrateSchema(false)
            .clock(MutableClock.start());

    IllegalStateException thrown = assertThrows(IllegalStateException.class, builder::build);
    assertTrue(thrown.getMessage().contains("clock"), thrown.getMessage());
  }

  @Test
  void theDialectIsDetectedFromTheConnection() throws SQLException {
    String prefix = PostgresDatabase.freshPrefix();
    try {
      assertEquals(
          Dialect.POSTGRESQL,
          JdbcIdempotencyStore.builder(PostgresDatabase.pool())
              .tablePrefix(prefix)
              .build()
              .dialect());
    } finally {
      PostgresDatabase.drop(PostgresDatabase.pool(), prefix);
    }
    assertEquals(
        Dialect.SQLITE, JdbcIdempotencyStore.builder(sqlite.newDatabase()).build().dialect());
  }

  // ----------------------------------------------------------------------------- response cap

  @Test
  void anOversizedResponseIsRefusedBeforeAnythingIsWritten() {
    JdbcIdempotencyStore store =
        JdbcIdempotencyStore.builder(sqlite.newDatabase()).maxResponseBytes(16).build();
    StorageKey key = StoreUnavailableTest.newKey();
    long fence = acquire(store, key);

    IllegalArgumentException thrown =
        assertThrows(
            IllegalArgumentException.class,
            () -> store.complete(key, fence, StoredResponse.of(new byte[17])));

    assertTrue(thrown.getMessage().contains("maxResponseBytes"), thrown.getMessage());
    IdempotencyRecord record = store.find(key).orElseThrow();
    assertEquals(RecordState.IN_PROGRESS, record.state());
    assertEquals(Optional.empty(), record.response());
    assertEquals(UpdateResult.APPLIED, store.complete(key, fence, StoredResponse.of(new byte[16])));
  }

  // --------------------------------------------------------------------------- format versions

  @Test
  void aRecordInAnUnknownFormatIsRefusedNamingItsVersionOnSqlite() throws SQLException {
    DataSource dataSource = sqlite.newDatabase();
    assertUnknownFormatIsRefused(
        dataSource, JdbcIdempotencyStore.builder(dataSource).clock(MutableClock.start()).build());
  }

  @Test
  void aRecordInAnUnknownFormatIsRefusedNamingItsVersionOnPostgres() throws SQLException {
    DataSource dataSource = PostgresDatabase.pool();
    String prefix = PostgresDatabase.freshPrefix();
    try {
      assertUnknownFormatIsRefused(
          dataSource, JdbcIdempotencyStore.builder(dataSource).tablePrefix(prefix).build());
    } finally {
      PostgresDatabase.drop(dataSource, prefix);
    }
  }

  private static void assertUnknownFormatIsRefused(
      DataSource dataSource, JdbcIdempotencyStore store) throws SQLException {
    StorageKey key = StoreUnavailableTest.newKey();
    store.complete(key, acquire(store, key), StoredResponse.of(new byte[] {1}));
    SchemaMigrationsTest.execute(
        dataSource, "UPDATE " + store.tablePrefix() + "records SET format_version = 9");

    UnknownFormatVersionException onClaim =
        assertThrows(
            UnknownFormatVersionException.class,
            () -> store.claim(key, FINGERPRINT, LEASE, RETENTION));
    UnknownFormatVersionException onFind =
        assertThrows(UnknownFormatVersionException.class, () -> store.find(key));

    for (UnknownFormatVersionException thrown :
        new UnknownFormatVersionException[] {onClaim, onFind}) {
      assertEquals(9, thrown.version());
      assertTrue(thrown.getMessage().contains("format version 9"), thrown.getMessage());
    }
  }

  // ----------------------------------------------------------------------------- fences, purge

  @Test
  void fencesGrowAcrossPurge() {
    MutableClock clock = MutableClock.start();
    JdbcIdempotencyStore store =
        JdbcIdempotencyStore.builder(sqlite.newDatabase()).clock(clock).build();
    StorageKey key = StoreUnavailableTest.newKey();
    long first = acquire(store, key);
    clock.advance(RETENTION.plus(LEASE));
    assertEquals(1, store.purgeExpired(100));

    long second = acquire(store, key);

    assertTrue(second > first, second + " must exceed " + first);
  }

  // ------------------------------------------------------------------------------ connections

  @Test
  void aPoolHandingOutConnectionsWithAutoCommitOffStillCommitsEveryCall() throws SQLException {
    String prefix = PostgresDatabase.freshPrefix();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(PostgresServer.shared().jdbcUrl());
    config.setUsername(PostgresServer.USER);
    config.setMaximumPoolSize(1);
    config.setAutoCommit(false);
    try (HikariDataSource manualCommit = new HikariDataSource(config)) {
      JdbcIdempotencyStore store =
          JdbcIdempotencyStore.builder(manualCommit).tablePrefix(prefix).build();
      StorageKey key = StoreUnavailableTest.newKey();
      store.complete(key, acquire(store, key), StoredResponse.of(new byte[] {5}));

      JdbcIdempotencyStore observer =
          JdbcIdempotencyStore.builder(PostgresDatabase.pool()).tablePrefix(prefix).build();
      ClaimResult seen = observer.claim(key, FINGERPRINT, LEASE, RETENTION);
      assertEquals(
          StoredResponse.of(new byte[] {5}),
          assertInstanceOf(ClaimResult.Replay.class, seen).response());
    } finally {
      PostgresDatabase.drop(PostgresDatabase.pool(), prefix);
    }
  }

  private static long acquire(JdbcIdempotencyStore store, StorageKey key) {
    return assertInstanceOf(
            ClaimResult.Acquired.class, store.claim(key, FINGERPRINT, LEASE, RETENTION))
        .fence();
  }
}
