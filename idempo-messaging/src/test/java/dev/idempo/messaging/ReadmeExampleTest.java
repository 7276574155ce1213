package dev.idempo.messaging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.testsupport.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The README's messaging examples, compiled and run. Keep the two in step. */
class ReadmeExampleTest {
  private final DataSource dataSource = TestDatabases.newSqlite();
  private final AtomicInteger mails = new AtomicInteger();
  private final List<OutboxEvent> sent = new ArrayList<>();

  private void insertCharge(Connection connection, Message message) throws Exception {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO charges (event_id) VALUES (?)")) {
      insert.setString(1, message.header("event-id").orElseThrow());
      insert.executeUpdate();
    }
  }

  private void sendWelcomeMail(Message message) {
    mails.incrementAndGet();
  }

  private CompletableFuture<Void> sendToBroker(OutboxEvent event) {
    sent.add(event);
    return CompletableFuture.completedFuture(null);
  }

  @Test
  void transactionalConsumer() throws Exception {
    TestDatabases.execute(dataSource, "CREATE TABLE charges (event_id VARCHAR(64))");
    Message message =
        Message.builder("{\"amount\":1000}".getBytes(StandardCharsets.UTF_8))
            .header("event-id", "evt-42")
            .build();

    // --- README example: transactional consumer ---
    TransactionalConsumer payments =
        TransactionalConsumer.builder(dataSource, "payments")
            .messageId(MessageIdExtractor.header("event-id"))
            .maxFailures(5) // then parked as a dead letter
            .build();
    ConsumeOutcome outcome = payments.consume(message, this::insertCharge);
    // PROCESSED, DUPLICATE or PARKED: ack; FAILED: let the broker redeliver
    // --- end ---

    assertEquals(ConsumeOutcome.PROCESSED, outcome);
    assertEquals(ConsumeOutcome.DUPLICATE, payments.consume(message, this::insertCharge));
    assertEquals(1, TestDatabases.count(dataSource, "SELECT COUNT(*) FROM charges"));
  }

  @Test
  void claimingConsumer() {
    Message message = Message.builder(new byte[0]).brokerMessageId("evt-43").build();
    JdbcIdempotencyStore store = JdbcIdempotencyStore.builder(dataSource).build();

    // --- README example: claiming consumer ---
    DeadLetters deadLetters = DeadLetters.on(dataSource, "idempo_");
    ClaimingConsumer mailer =
        ClaimingConsumer.builder(store, deadLetters, "welcome-mail")
            .unknownOutcomeIf(failure -> failure instanceof java.net.http.HttpTimeoutException)
            .build();
    mailer.consume(message, this::sendWelcomeMail);
    for (DeadLetter letter : deadLetters.list("welcome-mail", 100)) {
      mailer.replay(letter.id(), this::sendWelcomeMail); // after a look at letter.reason()
    }
    // --- end ---

    assertEquals(ConsumeOutcome.DUPLICATE, mailer.consume(message, this::sendWelcomeMail));
    assertEquals(1, mails.get());
  }

  @Test
  void outbox() throws Exception {
    TestDatabases.execute(dataSource, "CREATE TABLE orders (id VARCHAR(64))");

    // --- README example: outbox ---
    Outbox outbox = Outbox.builder(dataSource).build();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO orders VALUES ('o-1')")) {
        insert.executeUpdate();
      }
      outbox.schedule(
          connection, "orders", "customer-7", "{\"order\":\"o-1\"}".getBytes(UTF_8), Map.of());
      connection.commit(); // the order and its event, or neither
    }
    try (OutboxRelay relay = OutboxRelay.builder(outbox, this::sendToBroker).build()) {
      relay.start(); // publishes, then deletes each confirmed row
      // --- end ---
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (outbox.pendingCount() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    }
    assertEquals(1, sent.size());
    assertEquals("customer-7", sent.get(0).key().orElseThrow());
  }
}
