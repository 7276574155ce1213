package dev.idempo.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.idempo.Fingerprint;
import dev.idempo.IdempotencyKey;
import dev.idempo.ResultCodec;
import dev.idempo.Scope;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.IdempotencyRecord;
import dev.idempo.store.RecordState;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import dev.idempo.testsupport.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A store that cannot reach its database says so — {@link StoreUnavailableException} carrying the
 * {@link SQLException} — and never answers as if the key were absent; a connection dropped in the
 * middle of a claim leaves no second holder.
 */
class StoreUnavailableTest {
  private static final Fingerprint FINGERPRINT = Fingerprint.of(new byte[] {1});
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration RETENTION = Duration.ofMinutes(5);

  @Test
  void aClosedPoolMakesEveryCallStoreUnavailable() throws SQLException {
    String prefix = PostgresDatabase.freshPrefix();
    HikariDataSource pool = PostgresDatabase.newPool(PostgresServer.shared().jdbcUrl(), 2);
    JdbcIdempotencyStore store = JdbcIdempotencyStore.builder(pool).tablePrefix(prefix).build();
    JdbcIdempotency transactional = JdbcIdempotency.builder(store).build();
    StorageKey key = newKey();
    pool.close();

    List<Executable> calls =
        List.of(
            () -> store.claim(key, FINGERPRINT, LEASE, RETENTION),
            () -> store.complete(key, 1, StoredResponse.of(new byte[1])),
            () -> store.release(key, 1),
            () -> store.renew(key, 1, LEASE),
            () -> store.checkpoint(key, 1, RecoveryPoint.of("step", new byte[0])),
            () -> store.find(key),
            () -> store.purgeExpired(10),
            () ->
                transactional.execute(
                    pool,
                    Scope.operation("op"),
                    IdempotencyKey.of("k"),
                    FINGERPRINT,
                    ResultCodec.utf8(),
                    connection -> "ran"));
    for (Executable call : calls) {
      StoreUnavailableException thrown = assertThrows(StoreUnavailableException.class, call);
      assertInstanceOf(SQLException.class, thrown.getCause(), thrown.toString());
    }
    PostgresDatabase.drop(PostgresDatabase.pool(), prefix);
  }

  @Test
  void aKilledServerMakesCallsStoreUnavailableAndCommittedClaimsSurviveIt() {
    try (PostgresServer server = PostgresServer.start()) {
      JdbcIdempotencyStore store =
          JdbcIdempotencyStore.builder(PostgresDatabase.unpooled(server.jdbcUrl())).build();
      StorageKey held = newKey();
      long fence = acquire(store, held);

      server.kill();
      StorageKey other = newKey();
      assertUnavailable(() -> store.claim(other, FINGERPRINT, LEASE, RETENTION));
      assertUnavailable(() -> store.complete(held, fence, StoredResponse.of(new byte[] {7})));
      assertUnavailable(() -> store.find(held));

      server.restart();
      assertEquals(
          UpdateResult.APPLIED, store.complete(held, fence, StoredResponse.of(new byte[] {7})));
      assertInstanceOf(
          ClaimResult.Acquired.class, store.claim(other, FINGERPRINT, LEASE, RETENTION));
    }
  }

  @Test
  void aConnectionDroppedBeforeTheClaimsAnswerLeavesNoSecondHolder() throws Exception {
    PostgresServer server = PostgresServer.shared();
    String prefix = PostgresDatabase.freshPrefix();
    DataSource healthy = PostgresDatabase.pool();
    JdbcIdempotencyStore observer =
        JdbcIdempotencyStore.builder(healthy).tablePrefix(prefix).build();
    try (DroppingProxy proxy = new DroppingProxy(server.host(), server.port())) {
      PGSimpleDataSource viaProxy =
          PostgresDatabase.unpooled(
              "jdbc:postgresql://"
                  + server.host()
                  + ":"
                  + proxy.port()
                  + "/"
                  + server.database()
                  + "?sslmode=disable");
      try (Connection connection = viaProxy.getConnection()) {
        JdbcIdempotencyStore dropped =
            JdbcIdempotencyStore.builder(new SingleConnectionDataSource(connection))
                .dialect(Dialect.POSTGRESQL)
                .tablePrefix(prefix)
                .migrateSchema(false)
                .build();
        StorageKey key = newKey();

        proxy.dropNextAnswer();
        StoreUnavailableException thrown =
            assertThrows(
                StoreUnavailableException.class,
                () -> dropped.claim(key, FINGERPRINT, LEASE, RETENTION));
        assertInstanceOf(SQLException.class, thrown.getCause());

        // The claim committed before its answer was lost: the record is held by no caller...
        IdempotencyRecord record = observer.find(key).orElseThrow();
        assertEquals(RecordState.IN_PROGRESS, record.state());
        // ...and everyone else sees it in flight: no second holder until its lease ends.
        for (int i = 0; i < 8; i++) {
          assertInstanceOf(
              ClaimResult.InFlight.class, observer.claim(key, FINGERPRINT, LEASE, RETENTION));
        }
      }
    } finally {
      PostgresDatabase.drop(healthy, prefix);
    }
  }

  @Test
  void anUnreachableSqliteFileIsStoreUnavailable() {
    Path missing =
        Path.of(
            System.getProperty("java.io.tmpdir"),
            "idempo-missing-" + System.nanoTime(),
            "db.sqlite");

    StoreUnavailableException thrown =
        assertThrows(
            StoreUnavailableException.class,
            () -> JdbcIdempotencyStore.builder(SqliteDatabases.dataSource(missing)).build());
    assertInstanceOf(SQLException.class, thrown.getCause());
  }

  private static long acquire(JdbcIdempotencyStore store, StorageKey key) {
    ClaimResult result = store.claim(key, FINGERPRINT, LEASE, RETENTION);
    return assertInstanceOf(ClaimResult.Acquired.class, result).fence();
  }

  private static void assertUnavailable(Supplier<?> call) {
    StoreUnavailableException thrown = assertThrows(StoreUnavailableException.class, call::get);
    assertInstanceOf(SQLException.class, thrown.getCause(), thrown.toString());
    assertTrue(thrown.getMessage().contains("SQLState"), thrown.getMessage());
  }

  static StorageKey newKey() {
    byte[] bytes = new byte[StorageKey.LENGTH];
    ThreadLocalRandom.current().nextBytes(bytes);
    return StorageKey.of(bytes);
  }
}
