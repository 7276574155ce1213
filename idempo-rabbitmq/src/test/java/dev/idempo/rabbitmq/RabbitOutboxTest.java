package dev.idempo.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Connection;
import dev.idempo.messaging.Outbox;
import dev.idempo.messaging.OutboxRelay;
import dev.idempo.messaging.TransactionalConsumer;
import dev.idempo.testsupport.Eventually;
import dev.idempo.testsupport.MessageEffects;
import dev.idempo.testsupport.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The outbox relayed to a real RabbitMQ with publisher confirms. */
class RabbitOutboxTest {
  @Test
  void confirmedEventsCarryTheirOutboxIdAsMessageIdAndUnroutableOnesStayPending() throws Exception {
    DataSource orders = TestDatabases.newSqlite();
    DataSource payments = TestDatabases.newSqlite();
    String prefix = TestDatabases.freshPrefix();
    MessageEffects.create(payments, prefix + "effects");
    Outbox outbox = Outbox.builder(orders).build();
    try (Connection connection = RabbitFixtures.connect()) {
      String queue = RabbitFixtures.newQueue(connection, "orders");
      Set<String> ids = new HashSet<>();
      try (java.sql.Connection database = orders.getConnection()) {
        for (int i = 0; i < 30; i++) {
          ids.add(
              outbox.schedule(
                  database,
                  queue,
                  "c-" + (i % 3),
                  ("order " + i).getBytes(StandardCharsets.UTF_8),
                  Map.of("type", "order-placed")));
        }
        outbox.schedule(database, "no-such-queue", null, new byte[] {1}, Map.of());
      }
      try (RabbitOutboxPublisher publisher =
              RabbitOutboxPublisher.create(connection, "", Duration.ofSeconds(10));
          OutboxRelay relay = OutboxRelay.builder(outbox, publisher).maxAttempts(1000).build()) {
        int published = 0;
        for (int pass = 0; pass < 10; pass++) {
          published += relay.relayOnce(); // one event per key (3 keys) and per pass
        }
        assertEquals(30, published);
      }
      assertEquals(1, outbox.pendingCount(), "the unroutable event was returned: retried later");

      TransactionalConsumer consumer =
          TransactionalConsumer.builder(payments, "payments").tablePrefix(prefix).build();
      try (RabbitConsumerRunner runner =
          RabbitConsumerRunner.builder(
                  connection, queue, consumer, RabbitFixtures.insertEffect(prefix + "effects"))
              .build()) {
        runner.start();
        assertTrue(
            Eventually.holds(
                () -> MessageEffects.distinct(payments, prefix + "effects") == 30,
                Duration.ofMinutes(3)));
      }
      Set<String> consumed = new HashSet<>();
      try (java.sql.Connection database = payments.getConnection();
          var rows =
              database
                  .createStatement()
                  .executeQuery("SELECT message_id FROM " + prefix + "effects")) {
        while (rows.next()) {
          consumed.add(rows.getString(1));
        }
      }
      assertEquals(ids, consumed, "the AMQP message-id of each is its outbox id");
      assertEquals(List.of(), MessageEffects.duplicated(payments, prefix + "effects"));
    }
  }
}
