package dev.idempo.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.testsupport.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class MicrometerMessagingMetricsTest {
  @Test
  void countsOutcomesAndReadsOutboxLag() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    MicrometerMessagingMetrics metrics = MicrometerMessagingMetrics.create(registry);
    DataSource dataSource = TestDatabases.newSqlite();
    TransactionalConsumer consumer =
        TransactionalConsumer.builder(dataSource, "payments")
            .listener(metrics)
            .maxFailures(1)
            .build();
    Message message = Message.builder(new byte[0]).brokerMessageId("m-1").build();
    consumer.consume(message, (connection, m) -> {});
    consumer.consume(message, (connection, m) -> {});
    consumer.consume(
        Message.builder(new byte[0]).brokerMessageId("m-2").build(),
        (connection, m) -> {
          throw new IllegalStateException("poison");
        });
    assertEquals(1, count(registry, "processed"));
    assertEquals(1, count(registry, "duplicate"));
    assertEquals(1, count(registry, "parked"));

    Outbox outbox = Outbox.builder(dataSource).build();
    metrics.bindOutbox(outbox);
    try (Connection connection = dataSource.getConnection()) {
      outbox.schedule(connection, "orders", null, new byte[0], Map.of());
      outbox.schedule(connection, "orders", null, new byte[0], Map.of());
    }
    assertEquals(2.0, registry.get("idempo.outbox.pending").gauge().value());
    OutboxRelay.builder(outbox, event -> CompletableFuture.completedFuture(null))
        .listener(metrics)
        .build()
        .relayOnce();
    assertEquals(0.0, registry.get("idempo.outbox.pending").gauge().value());
    assertEquals(
        2.0, registry.get("idempo.outbox.events").tag("outcome", "published").counter().count());
  }

  private static double count(SimpleMeterRegistry registry, String outcome) {
    return registry
        .get("idempo.messages")
        .tag("consumer", "payments")
        .tag("outcome", outcome)
        .counter()
        .count();
  }
}
