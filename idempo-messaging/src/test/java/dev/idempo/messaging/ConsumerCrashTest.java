package dev.idempo.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.testsupport.ChildProcesses;
import dev.idempo.testsupport.PostgresServer;
import dev.idempo.testsupport.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A consumer process SIGKILLed inside its handler (after its insert, before commit) leaves neither
 * the effect nor the dedup record; the redelivery runs the handler once.
 */
class ConsumerCrashTest {
  @Test
  void aConsumerKilledInsideTheHandlerLeavesNothingAndTheRedeliveryRunsOnce() throws Exception {
    DataSource dataSource = TestDatabases.postgres();
    String prefix = TestDatabases.freshPrefix();
    String effects = prefix + "effects";
    TestDatabases.execute(dataSource, "CREATE TABLE " + effects + " (message_id VARCHAR(100))");
    TransactionalConsumer consumer =
        TransactionalConsumer.builder(dataSource, "payments")
            .tablePrefix(prefix)
            .messageId(MessageIdExtractor.header("event-id"))
            .build();

    Process child =
        ChildProcesses.start(
            ConsumerCrashChild.class, PostgresServer.shared().jdbcUrl(), prefix, effects, "e-1");
    try {
      ChildProcesses.awaitLine(child, ConsumerCrashChild.INSIDE_HANDLER);
    } finally {
      ChildProcesses.kill(child);
    }

    AtomicInteger runs = new AtomicInteger();
    Message redelivery =
        Message.builder("100".getBytes(StandardCharsets.UTF_8)).header("event-id", "e-1").build();
    TransactionalHandler handler =
        (connection, message) -> {
          runs.incrementAndGet();
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO " + effects + " (message_id) VALUES ('e-1')")) {
            insert.executeUpdate();
          }
        };
    // The redelivery waits for the server to end the dead child's transaction, then runs.
    assertEquals(ConsumeOutcome.PROCESSED, consumer.consume(redelivery, handler));
    assertEquals(ConsumeOutcome.DUPLICATE, consumer.consume(redelivery, handler));
    assertEquals(1, runs.get());
    assertEquals(1, TestDatabases.count(dataSource, "SELECT COUNT(*) FROM " + effects));
  }
}
