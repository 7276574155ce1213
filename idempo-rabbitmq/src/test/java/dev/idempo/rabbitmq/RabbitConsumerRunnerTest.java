package dev.idempo.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Connection;
import dev.idempo.messaging.DeadLetter;
import dev.idempo.messaging.MessagingListener;
import dev.idempo.messaging.TransactionalConsumer;
import dev.idempo.messaging.TransactionalHandler;
import dev.idempo.testsupport.Eventually;
import dev.idempo.testsupport.MessageEffects;
import dev.idempo.testsupport.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class RabbitConsumerRunnerTest {
  private final String prefix = TestDatabases.freshPrefix();
  private final String effects = prefix + "effects";

  @Test
  void republishedMessagesTakeEffectOnceAndEveryDeliveryIsAcked() throws Exception {
    DataSource dataSource = TestDatabases.newSqlite();
    MessageEffects.create(dataSource, effects);
    AtomicInteger duplicates = new AtomicInteger();
    TransactionalConsumer consumer =
        TransactionalConsumer.builder(dataSource, "payments")
            .tablePrefix(prefix)
            .listener(
                new MessagingListener() {
                  @Override
                  public void onDuplicate(String name, String messageId) {
                    duplicates.incrementAndGet();
                  }
                })
            .build();
    try (Connection connection = RabbitFixtures.connect()) {
      String queue = RabbitFixtures.newQueue(connection, "payments");
      List<String> ids = new ArrayList<>(RabbitFixtures.ids("m-", 100));
      ids.addAll(RabbitFixtures.ids("m-", 20)); // republished after a lost confirm
      RabbitFixtures.publish(connection, queue, ids);
      try (RabbitConsumerRunner runner =
          RabbitConsumerRunner.builder(
                  connection, queue, consumer, RabbitFixtures.insertEffect(effects))
              .build()) {
        runner.start();
        assertTrue(
            Eventually.holds(
                () -> MessageEffects.distinct(dataSource, effects) == 100 && duplicates.get() == 20,
                Duration.ofMinutes(3)));
      }
      assertTrue(
          Eventually.holds(() -> messageCount(connection, queue) == 0, Duration.ofSeconds(30)),
          "every delivery was acked");
    }
    assertEquals(List.of(), MessageEffects.duplicated(dataSource, effects));
    assertEquals(100, TestDatabases.count(dataSource, "SELECT COUNT(*) FROM " + effects));
  }

  @Test
  void aMessageWithoutIdAndAPoisonMessageAreParkedAndAcked() throws Exception {
    DataSource dataSource = TestDatabases.newSqlite();
    MessageEffects.create(dataSource, effects);
    TransactionalConsumer consumer =
        TransactionalConsumer.builder(dataSource, "payments")
            .tablePrefix(prefix)
            .maxFailures(3)
            .build();
    TransactionalHandler handler =
        (connection, message) -> {
          if (message.brokerMessageId().orElseThrow().equals("m-poison")) {
            throw new IllegalArgumentException(
                "unreadable " + new String(message.payload(), StandardCharsets.UTF_8));
          }
          RabbitFixtures.insertEffect(effects).handle(connection, message);
        };
    try (Connection connection = RabbitFixtures.connect()) {
      String queue = RabbitFixtures.newQueue(connection, "poison");
      RabbitFixtures.publish(connection, queue, Arrays.asList("m-1", null, "m-poison", "m-2"));
      try (RabbitConsumerRunner runner =
          RabbitConsumerRunner.builder(connection, queue, consumer, handler)
              .retryBackoff(Duration.ofMillis(10))
              .build()) {
        runner.start();
        assertTrue(
            Eventually.holds(
                () ->
                    consumer.deadLetters().countParked("payments") == 2
                        && MessageEffects.distinct(dataSource, effects) == 2,
                Duration.ofMinutes(3)));
      }
      assertTrue(
          Eventually.holds(() -> messageCount(connection, queue) == 0, Duration.ofSeconds(30)));
    }
    List<DeadLetter> parked = consumer.deadLetters().list("payments", 10);
    assertTrue(
        parked.stream()
            .anyMatch(
                letter ->
                    letter.messageId().isEmpty() && letter.reason().contains("without an id")));
    assertTrue(
        parked.stream()
            .anyMatch(
                letter ->
                    letter.messageId().orElse("").equals("m-poison")
                        && letter.failures() == 3
                        && letter.reason().contains("unreadable")));
  }

  private static long messageCount(Connection connection, String queue) {
    try {
      return RabbitFixtures.messageCount(connection, queue);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
