package dev.idempo.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Connection;
import dev.idempo.messaging.MessagingListener;
import dev.idempo.messaging.TransactionalConsumer;
import dev.idempo.testsupport.ChildProcesses;
import dev.idempo.testsupport.Eventually;
import dev.idempo.testsupport.MessageEffects;
import dev.idempo.testsupport.PostgresServer;
import dev.idempo.testsupport.RabbitMqServer;
import dev.idempo.testsupport.TestDatabases;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A consumer process SIGKILLed inside its handler (before the commit), then one that dies right
 * after a commit and before its ack: the broker redelivers, and every message takes effect once,
 * counted in PostgreSQL.
 */
class RabbitCrashTest {
  @Test
  void redeliveriesAfterConsumerCrashesTakeEffectOnce() throws Exception {
    DataSource dataSource = TestDatabases.postgres();
    String prefix = TestDatabases.freshPrefix();
    String effects = prefix + "effects";
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
    int messages = 200;
    try (Connection connection = RabbitFixtures.connect()) {
      String queue = RabbitFixtures.newQueue(connection, "crash");
      RabbitFixtures.publish(connection, queue, RabbitFixtures.ids("m-", messages));

      Process inside = child(prefix, effects, queue, "inside:m-30");
      try {
        ChildProcesses.awaitLine(inside, "inside m-30");
      } finally {
        ChildProcesses.kill(inside);
      }
      assertEquals(
          0,
          TestDatabases.count(
              dataSource, "SELECT COUNT(*) FROM " + effects + " WHERE message_id = 'm-30'"));

      Process afterCommit = child(prefix, effects, queue, "after-commit:40");
      assertTrue(afterCommit.waitFor(240, TimeUnit.SECONDS), "the child halted itself");
      assertEquals(9, afterCommit.exitValue());
      long committed = MessageEffects.distinct(dataSource, effects);
      assertTrue(committed >= 40, "committed before the halt: " + committed);

      try (RabbitConsumerRunner drain =
          RabbitConsumerRunner.builder(
                  connection, queue, consumer, RabbitFixtures.insertEffect(effects))
              .build()) {
        drain.start();
        assertTrue(
            Eventually.holds(
                () -> MessageEffects.distinct(dataSource, effects) == messages,
                Duration.ofMinutes(4)),
            "effects of " + MessageEffects.distinct(dataSource, effects) + " of " + messages);
        assertTrue(Eventually.holds(() -> queueEmpty(connection, queue), Duration.ofSeconds(90)));
      }
    }
    assertTrue(
        duplicates.get() >= 1,
        "the message committed but not acked came back and was acknowledged as a duplicate");
    assertEquals(List.of(), MessageEffects.duplicated(dataSource, effects));
    assertEquals(messages, TestDatabases.count(dataSource, "SELECT COUNT(*) FROM " + effects));
  }

  private static boolean queueEmpty(Connection connection, String queue) {
    try {
      return RabbitFixtures.messageCount(connection, queue) == 0;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Process child(String prefix, String effects, String queue, String mode)
      throws Exception {
    return ChildProcesses.start(
        RabbitCrashChild.class,
        RabbitMqServer.shared().uri(),
        PostgresServer.shared().jdbcUrl(),
        prefix,
        effects,
        queue,
        mode);
  }
}
