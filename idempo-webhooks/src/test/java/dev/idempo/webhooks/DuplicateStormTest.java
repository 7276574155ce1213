package dev.idempo.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.idempo.http.CapturedResponse;
import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same Stripe event delivered 100 times at once, on real stores: the handler runs once, and
 * every answer is a 2xx or a 503 retry-later with Retry-After.
 */
class DuplicateStormTest {
  private static final int DELIVERIES = 100;

  @TempDir Path directory;

  @Test
  void inMemoryStore() throws Exception {
    stormLeased(InMemoryIdempotencyStore.create());
  }

  @Test
  void sqliteStoreLeased() throws Exception {
    try (JdbcIdempotencyStore store =
        JdbcIdempotencyStore.builder(Databases.sqlite(directory.resolve("leased.db"))).build()) {
      stormLeased(store);
    }
  }

  @Test
  void sqliteTransactional() throws Exception {
    DataSource dataSource = Databases.sqlite(directory.resolve("transactional.db"));
    try (JdbcIdempotencyStore store = JdbcIdempotencyStore.builder(dataSource).build()) {
      stormTransactional(store, dataSource);
    }
  }

  @Test
  void postgresStoreLeased() throws Exception {
    try (HikariDataSource pool = Databases.postgres(16);
        JdbcIdempotencyStore store = JdbcIdempotencyStore.builder(pool).build()) {
      stormLeased(store);
    }
  }

  @Test
  void postgresTransactional() throws Exception {
    try (HikariDataSource pool = Databases.postgres(16);
        JdbcIdempotencyStore store = JdbcIdempotencyStore.builder(pool).build()) {
      stormTransactional(store, pool);
    }
  }

  /** The handler holds its claim until every duplicate has been answered. */
  private void stormLeased(IdempotencyStore store) throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch othersAnswered = new CountDownLatch(DELIVERIES - 1);
    WebhookReceiver receiver =
        WebhookReceiver.builder(store)
            .endpoint(
                StripeDeliveries.PATH,
                StripeDeliveries.verifier(),
                event -> {
                  runs.incrementAndGet();
                  othersAnswered.await(30, TimeUnit.SECONDS);
                })
            .build();
    List<CapturedResponse> answers = storm(receiver, othersAnswered);
    assertEquals(1, runs.get());
    Map<Integer, Integer> statuses = check(answers);
    assertEquals(Map.of(200, 1, 503, DELIVERIES - 1), statuses, "every duplicate ran concurrently");
    afterTheStorm(receiver, runs);
  }

  /** Duplicates wait on the event's row until the first transaction commits, then replay. */
  private void stormTransactional(JdbcIdempotencyStore store, DataSource dataSource)
      throws Exception {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE payments (event_id VARCHAR(255) NOT NULL)");
    }
    AtomicInteger runs = new AtomicInteger();
    WebhookReceiver receiver =
        WebhookReceiver.builder(store)
            .transactionalEndpoint(
                StripeDeliveries.PATH,
                StripeDeliveries.verifier(),
                dataSource,
                (event, connection) -> {
                  runs.incrementAndGet();
                  try (var insert =
                      connection.prepareStatement("INSERT INTO payments (event_id) VALUES (?)")) {
                    insert.setString(1, event.id());
                    insert.executeUpdate();
                  }
                })
            .build();
    List<CapturedResponse> answers = storm(receiver, new CountDownLatch(0));
    System.out.println("transactional storm on " + store + ": statuses " + check(answers));
    assertEquals(1, runs.get());
    assertEquals(1, paymentRows(dataSource));
    afterTheStorm(receiver, runs);
    assertEquals(1, paymentRows(dataSource));
  }

  private static List<CapturedResponse> storm(WebhookReceiver receiver, CountDownLatch answered)
      throws Exception {
    WebhookRequest delivery = StripeDeliveries.signed("evt_storm", Instant.now());
    ExecutorService threads = Executors.newFixedThreadPool(DELIVERIES);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<CapturedResponse>> futures = new ArrayList<>();
      for (int i = 0; i < DELIVERIES; i++) {
        futures.add(
            threads.submit(
                () -> {
                  start.await();
                  CapturedResponse answer = receiver.receive(delivery);
                  if (answer.status() != 200
                      || answer.header(WebhookReceiver.REPLAYED_HEADER).isPresent()) {
                    answered.countDown();
                  }
                  return answer;
                }));
      }
      start.countDown();
      List<CapturedResponse> answers = new ArrayList<>();
      for (Future<CapturedResponse> future : futures) {
        answers.add(future.get(120, TimeUnit.SECONDS));
      }
      return answers;
    } finally {
      threads.shutdownNow();
    }
  }

  /** Every answer 2xx, or 503 with Retry-After; exactly one first run. */
  private static Map<Integer, Integer> check(List<CapturedResponse> answers) {
    Map<Integer, Integer> statuses = new TreeMap<>();
    int firstRuns = 0;
    for (CapturedResponse answer : answers) {
      statuses.merge(answer.status(), 1, Integer::sum);
      assertTrue(answer.status() == 200 || answer.status() == 503, "status " + answer);
      if (answer.status() == 503) {
        assertTrue(answer.header("Retry-After").isPresent(), "503 without Retry-After");
      }
      if (answer.status() == 200 && answer.header(WebhookReceiver.REPLAYED_HEADER).isEmpty()) {
        firstRuns++;
      }
    }
    assertEquals(1, firstRuns, "statuses " + statuses);
    return statuses;
  }

  private static void afterTheStorm(WebhookReceiver receiver, AtomicInteger runs) {
    CapturedResponse late = receiver.receive(StripeDeliveries.signed("evt_storm", Instant.now()));
    assertEquals(200, late.status());
    assertEquals("true", late.header(WebhookReceiver.REPLAYED_HEADER).orElseThrow());
    assertEquals(1, runs.get());
  }

  private static int paymentRows(DataSource dataSource) throws Exception {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM payments")) {
      rows.next();
      return rows.getInt(1);
    }
  }
}
