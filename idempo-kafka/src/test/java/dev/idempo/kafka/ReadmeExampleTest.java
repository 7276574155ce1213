package dev.idempo.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.messaging.Message;
import dev.idempo.messaging.TransactionalConsumer;
import dev.idempo.testsupport.Eventually;
import dev.idempo.testsupport.KafkaBroker;
import dev.idempo.testsupport.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The README's Kafka example, compiled and run. Keep the two in step. */
class ReadmeExampleTest {
  private final DataSource dataSource = TestDatabases.newSqlite();

  private void insertCharge(Connection connection, Message message) throws Exception {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO charges (event_id) VALUES (?)")) {
      insert.setString(1, message.brokerMessageId().orElseThrow());
      insert.executeUpdate();
    }
  }

  @Test
  void kafka() throws Exception {
    TestDatabases.execute(dataSource, "CREATE TABLE charges (event_id VARCHAR(64))");
    String servers = KafkaBroker.shared().bootstrapServers();
    String topic = KafkaFixtures.newTopic("readme", 2);

    // --- README example: Kafka ---
    try (KafkaEventProducer events =
        KafkaEventProducer.create(Map.of("bootstrap.servers", servers))) {
      events.send(topic, "order-1001", "evt-1001", "{\"amount\":1000}".getBytes(UTF_8)).get();
    } // idempotent producer, event id in a header

    TransactionalConsumer payments = TransactionalConsumer.builder(dataSource, "payments").build();
    KafkaConsumerRunner runner =
        KafkaConsumerRunner.builder(
                Map.of("bootstrap.servers", servers, "group.id", "payments"),
                payments,
                this::insertCharge)
            .topics(topic)
            .build();
    runner.start(); // each record's effect, dedup record and offset commit in one transaction
    // --- end ---
    try (runner) {
      assertTrue(
          Eventually.holds(
              () -> TestDatabases.count(dataSource, "SELECT COUNT(*) FROM charges") == 1,
              Duration.ofMinutes(3)));
    }
  }
}
