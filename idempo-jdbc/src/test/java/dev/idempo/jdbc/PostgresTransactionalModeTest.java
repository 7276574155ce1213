package dev.idempo.jdbc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.IdempotencyKey;
import dev.idempo.ResultCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Transactional mode on PostgreSQL, plus what only a server shows: a concurrent duplicate waits on
 * the uncommitted key row in the unique index, then replays (or runs, if the first rolled back).
 */
class PostgresTransactionalModeTest extends TransactionalModeContract {
  private final ExecutorService threads = Executors.newFixedThreadPool(2);

  @Override
  protected DataSource newDataSource() {
    return PostgresDatabase.pool();
  }

  @Override
  protected JdbcIdempotencyStore.Builder storeBuilder(DataSource dataSource) {
    return JdbcIdempotencyStore.builder(dataSource);
  }

  @Override
  protected void advance(Duration duration) {
    try {
      Thread.sleep(duration.toMillis()); // the server's clock decides expiry
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @AfterEach
  void cleanUp() throws SQLException {
    threads.shutdownNow();
    PostgresDatabase.drop(dataSource, prefix);
  }

  @Test
  void aConcurrentDuplicateWaitsForTheFirstTransactionThenReplays() throws Exception {
    IdempotencyKey key = newKey();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Future<TransactionalResult<String>> first =
        threads.submit(
            () ->
                transactional.execute(
                    dataSource,
                    SCOPE,
                    key,
                    ORDER_A,
                    ResultCodec.utf8(),
                    connection -> {
                      String id = insertOrder(connection, "first", 100);
                      inside.countDown();
                      assertTrue(finish.await(30, TimeUnit.SECONDS));
                      return id;
                    }));
    assertTrue(inside.await(30, TimeUnit.SECONDS));

    try (Connection duplicateConnection = dataSource.getConnection()) {
      int duplicatePid = backendPid(duplicateConnection);
      Future<TransactionalResult<String>> duplicate =
          threads.submit(
              () ->
                  transactional.execute(
                      duplicateConnection,
                      SCOPE,
                      key,
                      ORDER_A,
                      ResultCodec.utf8(),
                      connection -> insertOrder(connection, "duplicate", 100)));
      awaitWaitingOnALock(duplicatePid);
      assertFalse(duplicate.isDone(), "the duplicate waits while the first transaction is open");

      finish.countDown();
      assertFalse(first.get(30, TimeUnit.SECONDS).isReplayed());
      TransactionalResult<String> replayed = duplicate.get(30, TimeUnit.SECONDS);

      assertTrue(replayed.isReplayed());
      assertEquals("first", replayed.value());
    }
    assertEquals(1, workRuns.get());
    assertEquals(1, countOrders());
  }

  @Test
  void aConcurrentDuplicateRunsTheWorkWhenTheFirstRollsBack() throws Exception {
    IdempotencyKey key = newKey();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Future<TransactionalResult<String>> first =
        threads.submit(
            () ->
                transactional.execute(
                    dataSource,
                    SCOPE,
                    key,
                    ORDER_A,
                    ResultCodec.utf8(),
                    connection -> {
                      insertOrder(connection, "first", 100);
                      inside.countDown();
                      assertTrue(finish.await(30, TimeUnit.SECONDS));
                      throw new IllegalStateException("card declined");
                    }));
    assertTrue(inside.await(30, TimeUnit.SECONDS));

    try (Connection duplicateConnection = dataSource.getConnection()) {
      int duplicatePid = backendPid(duplicateConnection);
      Future<TransactionalResult<String>> duplicate =
          threads.submit(
              () ->
                  transactional.execute(
                      duplicateConnection,
                      SCOPE,
                      key,
                      ORDER_A,
                      ResultCodec.utf8(),
                      connection -> insertOrder(connection, "duplicate", 100)));
      awaitWaitingOnALock(duplicatePid);

      finish.countDown();
      java.util.concurrent.ExecutionException failed =
          assertThrows(
              java.util.concurrent.ExecutionException.class, () -> first.get(30, TimeUnit.SECONDS));
      assertEquals("card declined", failed.getCause().getMessage());
      TransactionalResult<String> executed = duplicate.get(30, TimeUnit.SECONDS);

      assertFalse(executed.isReplayed());
      assertEquals("duplicate", executed.value());
    }
    assertEquals(2, workRuns.get());
    assertEquals(1, countOrders());
  }

  private static int backendPid(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet pid = statement.executeQuery("SELECT pg_backend_pid()")) {
      pid.next();
      return pid.getInt(1);
    }
  }

  /** Polls the server until backend {@code pid} waits on a lock: a condition, not a duration. */
  private void awaitWaitingOnALock(int pid) throws Exception {
    try (Connection monitor = dataSource.getConnection();
        PreparedStatement waiting =
            monitor.prepareStatement(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = ?")) {
      waiting.setInt(1, pid);
      await("backend " + pid + " waiting on a lock")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(10))
          .until(
              () -> {
                try (ResultSet row = waiting.executeQuery()) {
                  return row.next() && "Lock".equals(row.getString(1));
                }
              });
    }
  }
}
