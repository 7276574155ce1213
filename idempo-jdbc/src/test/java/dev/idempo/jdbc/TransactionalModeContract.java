package dev.idempo.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.ExecutionResult;
import dev.idempo.Fingerprint;
import dev.idempo.FingerprintMismatchException;
import dev.idempo.Idempotency;
import dev.idempo.IdempotencyKey;
import dev.idempo.KeyInFlightException;
import dev.idempo.ResultCodec;
import dev.idempo.Scope;
import dev.idempo.StoredFailureException;
import dev.idempo.WorkFailedException;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.IdempotencyRecord;
import dev.idempo.store.RecordState;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transactional mode on one database: the key's record, the work's writes and the result commit
 * together or not at all; a caller's transaction is joined, never committed. Subclasses supply the
 * database.
 */
abstract class TransactionalModeContract {
  static final Scope SCOPE = Scope.of("tenant-1", "POST /orders");
  static final Fingerprint ORDER_A = Fingerprint.builder().add("body", "order A").build();
  static final Fingerprint ORDER_B = Fingerprint.builder().add("body", "order B").build();

  protected DataSource dataSource;
  protected String prefix;
  protected String orders;
  protected JdbcIdempotencyStore store;
  protected JdbcIdempotency transactional;
  protected final AtomicInteger workRuns = new AtomicInteger();

  /** A data source on an empty database (or one where {@code prefix} is unused). */
  protected abstract DataSource newDataSource();

  /** Builds the store for {@code dataSource}: a clock on SQLite, none on PostgreSQL. */
  protected abstract JdbcIdempotencyStore.Builder storeBuilder(DataSource dataSource);

  /** Lets {@code duration} pass on the clock the store trusts. */
  protected abstract void advance(Duration duration);

  @BeforeEach
  void createTables() throws SQLException {
    dataSource = newDataSource();
    prefix = PostgresDatabase.freshPrefix();
    orders = prefix + "orders";
    store = storeBuilder(dataSource).tablePrefix(prefix).build();
    transactional = JdbcIdempotency.builder(store).build();
    update("CREATE TABLE " + orders + " (id VARCHAR(64) PRIMARY KEY, amount INTEGER NOT NULL)");
  }

  @AfterEach
  void dropTables() throws SQLException {
    update("DROP TABLE IF EXISTS " + orders);
  }

  // ---------------------------------------------------------------------------------- own
  // transaction

  @Test
  void theKeyTheWorkAndTheResultCommitTogether() throws SQLException {
    IdempotencyKey key = newKey();

    TransactionalResult<String> result = placeOrder(key, ORDER_A, "order-1", 100);

    assertFalse(result.isReplayed());
    assertEquals("order-1", result.value());
    assertEquals(1, countOrders());
    IdempotencyRecord record = store.find(SCOPE.storageKey(key)).orElseThrow();
    assertEquals(RecordState.COMPLETED, record.state());
    assertEquals(ORDER_A, record.fingerprint());
  }

  @Test
  void aRetryReplaysTheStoredResultWithoutRunningTheWork() throws SQLException {
    IdempotencyKey key = newKey();
    placeOrder(key, ORDER_A, "order-1", 100);

    TransactionalResult<String> replay = placeOrder(key, ORDER_A, "order-2", 100);

    assertTrue(replay.isReplayed());
    assertEquals("order-1", replay.value());
    assertEquals(1, workRuns.get());
    assertEquals(1, countOrders());
  }

  @Test
  void anExceptionRollsEverythingBackAndLeavesNoRecord() throws SQLException {
    IdempotencyKey key = newKey();
    IllegalStateException boom = new IllegalStateException("payment declined");

    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () ->
                transactional.execute(
                    dataSource,
                    SCOPE,
                    key,
                    ORDER_A,
                    ResultCodec.utf8(),
                    connection -> {
                      insertOrder(connection, "order-1", 100);
                      throw boom;
                    }));

    assertSame(boom, thrown);
    assertEquals(0, countOrders());
    assertEquals(Optional.empty(), store.find(SCOPE.storageKey(key)));
    TransactionalResult<String> retry = placeOrder(key, ORDER_A, "order-1", 100);
    assertFalse(retry.isReplayed(), "the retry runs the work: nothing was stored");
    assertEquals(1, countOrders());
  }

  @Test
  void aCheckedExceptionArrivesAsWorkFailedAndRollsBack() throws SQLException {
    IdempotencyKey key = newKey();
    IOException cause = new IOException("ledger unreachable");

    WorkFailedException thrown =
        assertThrows(
            WorkFailedException.class,
            () ->
                transactional.execute(
                    dataSource,
                    SCOPE,
                    key,
                    ORDER_A,
                    ResultCodec.utf8(),
                    connection -> {
                      insertOrder(connection, "order-1", 100);
                      throw cause;
                    }));

    assertSame(cause, thrown.getCause());
    assertEquals(0, countOrders());
    assertEquals(Optional.empty(), store.find(SCOPE.storageKey(key)));
  }

  @Test
  void theSameKeyWithAnotherFingerprintIsAMismatch() throws SQLException {
    IdempotencyKey key = newKey();
    placeOrder(key, ORDER_A, "order-1", 100);

    assertThrows(
        FingerprintMismatchException.class, () -> placeOrder(key, ORDER_B, "order-2", 200));
    assertEquals(1, workRuns.get());
    assertEquals(1, countOrders());
  }

  @Test
  void anOversizedResultIsRefusedAndRollsBack() throws SQLException {
    IdempotencyKey key = newKey();
    byte[] large = new byte[store.maxResponseBytes() + 1];

    IllegalArgumentException thrown =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                transactional.execute(
                    dataSource,
                    SCOPE,
                    key,
                    ORDER_A,
                    ResultCodec.bytes(),
                    connection -> {
                      insertOrder(connection, "order-1", 100);
                      return large;
                    }));

    assertTrue(thrown.getMessage().contains("maxResponseBytes"), thrown.getMessage());
    assertEquals(0, countOrders());
    assertEquals(Optional.empty(), store.find(SCOPE.storageKey(key)));
  }

  @Test
  void anExpiredResultIsReplacedAndTheWorkRunsAgain() throws SQLException {
    Duration retention = Duration.ofMillis(300);
    JdbcIdempotency shortLived = JdbcIdempotency.builder(store).retention(retention).build();
    IdempotencyKey key = newKey();
    shortLived.execute(
        dataSource, SCOPE, key, ORDER_A, ResultCodec.utf8(), c -> insertOrder(c, "o-1", 1));
    advance(retention.plusMillis(100));

    TransactionalResult<String> again =
        shortLived.execute(
            dataSource, SCOPE, key, ORDER_B, ResultCodec.utf8(), c -> insertOrder(c, "o-2", 2));

    assertFalse(again.isReplayed());
    assertEquals(2, workRuns.get());
    assertEquals(ORDER_B, store.find(SCOPE.storageKey(key)).orElseThrow().fingerprint());
  }

  @Test
  void anAutoCommitConnectionGetsItsOwnTransactionAndIsRestored() throws SQLException {
    IdempotencyKey key = newKey();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);

      transactional.execute(
          connection, SCOPE, key, ORDER_A, ResultCodec.utf8(), c -> insertOrder(c, "order-1", 100));

      assertTrue(connection.getAutoCommit());
    }
    assertEquals(1, countOrders());
    assertTrue(store.find(SCOPE.storageKey(key)).isPresent());
  }

  // ------------------------------------------------------------------------------- joined
  // transaction

  @Test
  void aCallerTransactionIsJoinedAndItsRollbackUndoesEverything() throws SQLException {
    IdempotencyKey key = newKey();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      insertOrder(connection, "caller-row", 1);

      TransactionalResult<String> result =
          transactional.execute(
              connection,
              SCOPE,
              key,
              ORDER_A,
              ResultCodec.utf8(),
              c -> insertOrder(c, "order-1", 100));
      assertFalse(result.isReplayed());
      assertFalse(connection.getAutoCommit(), "a joined transaction stays the caller's");

      connection.rollback();
    }
    assertEquals(0, countOrders());
    assertEquals(Optional.empty(), store.find(SCOPE.storageKey(key)));
  }

  @Test
  void aCallerTransactionIsJoinedAndItsCommitStoresEverything() throws SQLException {
    IdempotencyKey key = newKey();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      insertOrder(connection, "caller-row", 1);
      transactional.execute(
          connection, SCOPE, key, ORDER_A, ResultCodec.utf8(), c -> insertOrder(c, "order-1", 100));
      connection.commit();
      connection.setAutoCommit(true);
    }
    assertEquals(2, countOrders());
    assertTrue(placeOrder(key, ORDER_A, "order-x", 1).isReplayed());
  }

  @Test
  void aJoinedTransactionGetsAtMostTwoStatementsAndNoCommit() throws SQLException {
    IdempotencyKey key = newKey();
    try (Connection real = dataSource.getConnection()) {
      real.setAutoCommit(false);
      CountingConnection first = new CountingConnection(real);
      transactional.execute(first.proxy(), SCOPE, key, ORDER_A, ResultCodec.utf8(), c -> "done");
      CountingConnection replay = new CountingConnection(real);
      TransactionalResult<String> replayed =
          transactional.execute(
              replay.proxy(), SCOPE, key, ORDER_A, ResultCodec.utf8(), c -> "again");
      real.commit();
      real.setAutoCommit(true);

      assertTrue(replayed.isReplayed());
      assertTrue(first.statements <= 2, "first run: " + first.statements + " statements");
      assertTrue(replay.statements <= 2, "replay: " + replay.statements + " statements");
      assertEquals(List.of(), first.transactionCalls, "first run must not end the transaction");
      assertEquals(List.of(), replay.transactionCalls, "replay must not end the transaction");
    }
  }

  @Test
  void aFailureInAJoinedTransactionTakesTheKeyRowBackOut() throws SQLException {
    IdempotencyKey key = newKey();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      insertOrder(connection, "caller-row", 1);
      assertThrows(
          IllegalStateException.class,
          () ->
              transactional.execute(
                  connection,
                  SCOPE,
                  key,
                  ORDER_A,
                  ResultCodec.utf8(),
                  c -> {
                    throw new IllegalStateException("out of stock");
                  }));
      connection.commit(); // the caller chose to keep its own write
      connection.setAutoCommit(true);
    }
    assertEquals(1, countOrders());
    assertEquals(Optional.empty(), store.find(SCOPE.storageKey(key)), "no stuck record");
    assertFalse(placeOrder(key, ORDER_A, "order-1", 100).isReplayed());
  }

  // ----------------------------------------------------------------------------- with leased mode

  @Test
  void resultsReplayAcrossTransactionalAndLeasedModes() {
    Idempotency<String> leased = Idempotency.builder(store, ResultCodec.utf8()).build();
    IdempotencyKey first = newKey();
    transactional.execute(
        dataSource, SCOPE, first, ORDER_A, ResultCodec.utf8(), c -> "transactional");

    ExecutionResult<String> replayedByLeased =
        leased.execute(SCOPE, first, ORDER_A, context -> "leased");
    assertTrue(replayedByLeased.isReplayed());
    assertEquals("transactional", replayedByLeased.value());

    IdempotencyKey second = newKey();
    leased.execute(SCOPE, second, ORDER_A, context -> "leased");
    TransactionalResult<String> replayedByTransactional =
        transactional.execute(dataSource, SCOPE, second, ORDER_A, ResultCodec.utf8(), c -> "tx");
    assertTrue(replayedByTransactional.isReplayed());
    assertEquals("leased", replayedByTransactional.value());
  }

  @Test
  void aFailureStoredByTheLeasedModeReplaysAsAStoredFailure() {
    Idempotency<String> leased = Idempotency.builder(store, ResultCodec.utf8()).build();
    IdempotencyKey key = newKey();
    assertThrows(
        IllegalStateException.class,
        () ->
            leased.execute(
                SCOPE,
                key,
                ORDER_A,
                context -> {
                  throw new IllegalStateException("card declined");
                }));

    StoredFailureException replayed =
        assertThrows(StoredFailureException.class, () -> placeOrder(key, ORDER_A, "order-1", 100));

    assertEquals(IllegalStateException.class.getName(), replayed.failureClassName());
    assertEquals("card declined", replayed.failureMessage());
    assertEquals(0, workRuns.get());
  }

  @Test
  void aKeyHeldByTheLeasedModeIsInFlight() {
    IdempotencyKey key = newKey();
    assertInstanceOf(
        ClaimResult.Acquired.class,
        store.claim(SCOPE.storageKey(key), ORDER_A, Duration.ofMinutes(1), Duration.ofMinutes(5)));

    KeyInFlightException thrown =
        assertThrows(KeyInFlightException.class, () -> placeOrder(key, ORDER_A, "order-1", 100));
    assertTrue(
        thrown.retryAfter().compareTo(Duration.ofMinutes(1)) <= 0, thrown.retryAfter().toString());
    assertEquals(0, workRuns.get());
  }

  // ------------------------------------------------------------------------------------ helpers

  static IdempotencyKey newKey() {
    return IdempotencyKey.of("k-" + UUID.randomUUID());
  }

  TransactionalResult<String> placeOrder(
      IdempotencyKey key, Fingerprint fingerprint, String id, int amount) {
    return transactional.execute(
        dataSource, SCOPE, key, fingerprint, ResultCodec.utf8(), c -> insertOrder(c, id, amount));
  }

  /** The business write: one order row; answers its id. */
  String insertOrder(Connection connection, String id, int amount) throws SQLException {
    workRuns.incrementAndGet();
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO " + orders + " (id, amount) VALUES (?, ?)")) {
      insert.setString(1, id);
      insert.setInt(2, amount);
      insert.executeUpdate();
    }
    return id;
  }

  int countOrders() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet count = statement.executeQuery("SELECT COUNT(*) FROM " + orders)) {
      count.next();
      return count.getInt(1);
    }
  }

  void update(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A real connection that counts the statements prepared or created on it and records calls that
   * would end or change the transaction.
   */
  static final class CountingConnection {
    private final Connection real;
    int statements;
    final List<String> transactionCalls = new ArrayList<>();

    CountingConnection(Connection real) {
      this.real = real;
    }

    Connection proxy() {
      return (Connection)
          Proxy.newProxyInstance(
              Connection.class.getClassLoader(),
              new Class<?>[] {Connection.class},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "prepareStatement", "createStatement", "prepareCall" -> statements++;
                  case "commit", "rollback", "setAutoCommit", "setSavepoint" ->
                      transactionCalls.add(method.getName());
                  default -> {}
                }
                try {
                  return method.invoke(real, args);
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                }
              });
    }
  }
}
