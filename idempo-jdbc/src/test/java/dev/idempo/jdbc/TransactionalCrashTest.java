package dev.idempo.jdbc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.IdempotencyKey;
import dev.idempo.ResultCodec;
import dev.idempo.testsupport.PostgresServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A process killed in the middle of transactional work (after its business insert, before commit)
 * leaves neither the key's record nor the business row, and the retry runs exactly once.
 */
class TransactionalCrashTest {
  private final DataSource dataSource = PostgresDatabase.pool();
  private final String prefix = PostgresDatabase.freshPrefix();
  private final String orders = prefix + "orders";

  @AfterEach
  void dropTables() throws SQLException {
    SchemaMigrationsTest.execute(dataSource, "DROP TABLE IF EXISTS " + orders);
    PostgresDatabase.drop(dataSource, prefix);
  }

  @Test
  void aProcessKilledInsideTheWorkLeavesNothingAndTheRetryRunsOnce() throws Exception {
    JdbcIdempotencyStore store =
        JdbcIdempotencyStore.builder(dataSource).tablePrefix(prefix).build();
    SchemaMigrationsTest.execute(
        dataSource, "CREATE TABLE " + orders + " (id VARCHAR(64) PRIMARY KEY)");
    IdempotencyKey key = IdempotencyKey.of("crash-" + UUID.randomUUID());

    Process child = startChild(key);
    try {
      awaitLine(child, TransactionalCrashChild.INSIDE_WORK);
      assertEquals(
          List.of("idle in transaction"),
          childBackendStates(),
          "the child's insert is done and its transaction open on the server");
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
    }
    awaitNoChildBackends();

    assertEquals(0, countOrders(), "the business row rolled back with the child");
    assertEquals(
        Optional.empty(),
        store.find(TransactionalCrashChild.SCOPE.storageKey(key)),
        "the key's record rolled back with the child");

    JdbcIdempotency transactional = JdbcIdempotency.builder(store).build();
    AtomicInteger runs = new AtomicInteger();
    TransactionalWork<String> work =
        connection -> {
          runs.incrementAndGet();
          try (PreparedStatement insert =
              connection.prepareStatement("INSERT INTO " + orders + " (id) VALUES ('order-1')")) {
            insert.executeUpdate();
          }
          return "order-1";
        };
    TransactionalResult<String> retry =
        transactional.execute(
            dataSource,
            TransactionalCrashChild.SCOPE,
            key,
            TransactionalCrashChild.FINGERPRINT,
            ResultCodec.utf8(),
            work);
    TransactionalResult<String> again =
        transactional.execute(
            dataSource,
            TransactionalCrashChild.SCOPE,
            key,
            TransactionalCrashChild.FINGERPRINT,
            ResultCodec.utf8(),
            work);

    assertFalse(retry.isReplayed());
    assertTrue(again.isReplayed());
    assertEquals("order-1", again.value());
    assertEquals(1, runs.get());
    assertEquals(1, countOrders());
  }

  private Process startChild(IdempotencyKey key) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(TransactionalCrashChild.class.getName());
    command.addAll(List.of(PostgresServer.shared().jdbcUrl(), prefix, orders, key.value()));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** Reads the child's output until {@code expected}; fails with what it printed otherwise. */
  private static void awaitLine(Process child, String expected) throws Exception {
    StringBuilder output = new StringBuilder();
    CompletableFuture<Boolean> seen =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                BufferedReader reader =
                    new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                for (String line; (line = reader.readLine()) != null; ) {
                  output.append(line).append('\n');
                  if (line.equals(expected)) {
                    return true;
                  }
                }
                return false;
              } catch (java.io.IOException e) {
                return false;
              }
            });
    boolean found;
    try {
      found = seen.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      found = false;
    }
    assertTrue(found, "the child never printed \"" + expected + "\"; its output:\n" + output);
  }

  private List<String> childBackendStates() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT state FROM pg_stat_activity WHERE application_name = ?")) {
      select.setString(1, TransactionalCrashChild.APPLICATION_NAME);
      List<String> states = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          states.add(rows.getString(1));
        }
      }
      return states;
    }
  }

  /** Polls until the server has noticed the dead client and ended its backend (and transaction). */
  private void awaitNoChildBackends() throws Exception {
    await("the server ending the dead child's backend")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> childBackendStates().isEmpty());
  }

  private int countOrders() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement("SELECT COUNT(*) FROM " + orders);
        ResultSet count = select.executeQuery()) {
      count.next();
      return count.getInt(1);
    }
  }
}
