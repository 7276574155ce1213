package dev.idempo.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.http.CapturedResponse;
import dev.idempo.jdbc.JdbcIdempotencyStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transactional mode on SQLite: the event id and the handler's writes commit together. */
class TransactionalWebhookTest {
  @TempDir Path directory;
  private DataSource dataSource;
  private JdbcIdempotencyStore store;

  @BeforeEach
  void createDatabase() throws Exception {
    dataSource = Databases.sqlite(directory.resolve("payments.db"));
    store = JdbcIdempotencyStore.builder(dataSource).build();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE payments (event_id TEXT NOT NULL)");
    }
  }

  @Test
  void aFailingHandlersWritesRollBackAndTheRetryRunsItOnce() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    WebhookReceiver receiver =
        WebhookReceiver.builder(store)
            .transactionalEndpoint(
                StripeDeliveries.PATH,
                StripeDeliveries.verifier(),
                dataSource,
                (event, connection) -> {
                  try (PreparedStatement insert =
                      connection.prepareStatement("INSERT INTO payments VALUES (?)")) {
                    insert.setString(1, event.id());
                    insert.executeUpdate();
                  }
                  if (attempts.incrementAndGet() == 1) {
                    throw new IllegalStateException("crashed after the insert");
                  }
                })
            .build();

    CapturedResponse failed = receiver.receive(StripeDeliveries.signed("evt_tx", Instant.now()));
    assertEquals(500, failed.status());
    assertEquals(0, rows());

    assertEquals(200, receiver.receive(StripeDeliveries.signed("evt_tx", Instant.now())).status());
    assertEquals(1, rows());
    CapturedResponse duplicate = receiver.receive(StripeDeliveries.signed("evt_tx", Instant.now()));
    assertEquals(200, duplicate.status());
    assertEquals("true", duplicate.header(WebhookReceiver.REPLAYED_HEADER).orElseThrow());
    assertEquals(2, attempts.get());
    assertEquals(1, rows());
  }

  @Test
  void leasedAndTransactionalEndpointsShareOneStore() {
    AtomicInteger runs = new AtomicInteger();
    WebhookReceiver receiver =
        WebhookReceiver.builder(store)
            .transactionalEndpoint(
                StripeDeliveries.PATH,
                StripeDeliveries.verifier(),
                dataSource,
                (event, connection) -> runs.incrementAndGet())
            .endpoint(
                "/hooks/github",
                GitHubVerifier.builder(Secret.of("s")).build(),
                event -> runs.incrementAndGet())
            .build();
    assertEquals(200, receiver.receive(StripeDeliveries.signed("evt_a", Instant.now())).status());
    String payload = "{}";
    WebhookRequest github =
        WebhookRequest.builder("POST", "/hooks/github")
            .header("X-GitHub-Delivery", "evt_a")
            .header("X-Hub-Signature-256", Signing.gitHubHeader("s", payload))
            .body(payload)
            .build();
    assertEquals(200, receiver.receive(github).status());
    assertEquals(200, receiver.receive(github).status());
    assertEquals(2, runs.get());
  }

  private int rows() throws Exception {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM payments")) {
      rows.next();
      return rows.getInt(1);
    }
  }
}
