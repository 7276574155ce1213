package dev.idempo.rabbitmq;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Connection;
import dev.idempo.messaging.Message;
import dev.idempo.messaging.Outbox;
import dev.idempo.messaging.OutboxRelay;
import dev.idempo.messaging.TransactionalConsumer;
import dev.idempo.testsupport.Eventually;
import dev.idempo.testsupport.TestDatabases;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The README's RabbitMQ example, compiled and run. Keep the two in step. */
class ReadmeExampleTest {
  private final DataSource dataSource = TestDatabases.newSqlite();

  private void insertCharge(java.sql.Connection connection, Message message) throws Exception {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO charges (event_id) VALUES (?)")) {
      insert.setString(1, message.brokerMessageId().orElseThrow());
      insert.executeUpdate();
    }
  }

  @Test
  void rabbitMq() throws Exception {
    TestDatabases.execute(dataSource, "CREATE TABLE charges (event_id VARCHAR(64))");
    Outbox outbox = Outbox.builder(dataSource).build();
    try (Connection connection = RabbitFixtures.connect()) {
      String queue = RabbitFixtures.newQueue(connection, "payments");
      try (java.sql.Connection database = dataSource.getConnection()) {
        outbox.schedule(database, queue, null, "{\"amount\":1000}".getBytes(UTF_8), Map.of());
      }

      // --- README example: RabbitMQ ---
      RabbitOutboxPublisher confirmed =
          RabbitOutboxPublisher.create(connection, "", Duration.ofSeconds(10));
      OutboxRelay relay = OutboxRelay.builder(outbox, confirmed).build(); // message-id = outbox id
      relay.start();

      TransactionalConsumer payments =
          TransactionalConsumer.builder(dataSource, "payments").build();
      RabbitConsumerRunner runner =
          RabbitConsumerRunner.builder(connection, queue, payments, this::insertCharge).build();
      runner.start(); // acks each message only after its transaction committed
      // --- end ---
      try (relay;
          runner;
          confirmed) {
        assertTrue(
            Eventually.holds(
                () -> TestDatabases.count(dataSource, "SELECT COUNT(*) FROM charges") == 1,
                Duration.ofMinutes(3)));
      }
      assertEquals(0, outbox.pendingCount());
    }
  }
}
