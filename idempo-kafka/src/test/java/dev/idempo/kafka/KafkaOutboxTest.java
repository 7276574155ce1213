package dev.idempo.kafka;

import static dev.idempo.kafka.KafkaFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.messaging.Outbox;
import dev.idempo.messaging.OutboxRelay;
import dev.idempo.messaging.TransactionalConsumer;
import dev.idempo.testsupport.ChildProcesses;
import dev.idempo.testsupport.Eventually;
import dev.idempo.testsupport.KafkaBroker;
import dev.idempo.testsupport.MessageEffects;
import dev.idempo.testsupport.PostgresServer;
import dev.idempo.testsupport.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The outbox relayed to a real Kafka broker. */
class KafkaOutboxTest {
  private final KafkaBroker broker = KafkaBroker.shared();

  private KafkaProducer<byte[], byte[]> producer() {
    return new KafkaProducer<>(
        KafkaEventProducer.idempotentConfig(Map.of("bootstrap.servers", broker.bootstrapServers())),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  /**
   * Orders and their events commit together; the relay publishes them in order per customer; the
   * payments consumer charges each order once.
   */
  @Test
  void ordersFlowFromTheOutboxToExactlyOneChargeEachInOrderPerKey() throws Exception {
    DataSource orders = TestDatabases.newSqlite();
    DataSource payments = TestDatabases.newSqlite();
    String prefix = TestDatabases.freshPrefix();
    TestDatabases.execute(orders, "CREATE TABLE orders (id VARCHAR(20), customer VARCHAR(20))");
    MessageEffects.create(payments, prefix + "effects");
    Outbox outbox = Outbox.builder(orders).build();
    String topic = KafkaFixtures.newTopic("orders", 3);
    int count = 200;
    for (int i = 0; i < count; i++) {
      try (Connection connection = orders.getConnection()) {
        connection.setAutoCommit(false);
        try (PreparedStatement insert =
            connection.prepareStatement("INSERT INTO orders (id, customer) VALUES (?, ?)")) {
          insert.setString(1, "o-" + i);
          insert.setString(2, "c-" + (i % 7));
          insert.executeUpdate();
        }
        outbox.schedule(connection, topic, "c-" + (i % 7), utf8(Integer.toString(i)), Map.of());
        connection.commit();
      }
    }
    TransactionalConsumer consumer =
        TransactionalConsumer.builder(payments, "payments").tablePrefix(prefix).build();
    try (KafkaProducer<byte[], byte[]> producer = producer();
        OutboxRelay relay =
            OutboxRelay.builder(outbox, KafkaOutboxPublisher.create(producer))
                .pollInterval(Duration.ofMillis(20))
                .build();
        KafkaConsumerRunner runner =
            KafkaConsumerRunner.builder(
                    KafkaFixtures.consumerConfig(broker.bootstrapServers(), "payments-" + topic),
                    consumer,
                    KafkaFixtures.insertEffect(prefix + "effects"))
                .topics(topic)
                .build()) {
      relay.start();
      runner.start();
      assertTrue(
          Eventually.holds(
              () -> MessageEffects.distinct(payments, prefix + "effects") == count,
              Duration.ofMinutes(4)));
      assertEquals(0, outbox.pendingCount());
    }
    assertEquals(List.of(), MessageEffects.duplicated(payments, prefix + "effects"));
    Map<String, List<Integer>> byKey = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : readAll(topic)) {
      byKey
          .computeIfAbsent(new String(record.key(), StandardCharsets.UTF_8), k -> new ArrayList<>())
          .add(Integer.parseInt(new String(record.value(), StandardCharsets.UTF_8)));
    }
    for (Map.Entry<String, List<Integer>> key : byKey.entrySet()) {
      List<Integer> sorted = new ArrayList<>(key.getValue());
      sorted.sort(null);
      assertEquals(sorted, key.getValue(), "events of " + key.getKey() + " in order");
    }
  }

  /**
   * Relay processes die right after the broker acknowledged an event and before it left the outbox,
   * then at random points; a last relay drains the outbox. Every event is in the topic (resends
   * carry the same id), none is lost.
   */
  @Test
  void aRelayKilledAtAnyPointNeverLosesAnEvent() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    DataSource dataSource = TestDatabases.postgres();
    String prefix = TestDatabases.freshPrefix();
    Outbox outbox = Outbox.builder(dataSource).tablePrefix(prefix).build();
    String topic = KafkaFixtures.newTopic("relay-crash", 2);
    Set<String> scheduled = new HashSet<>();
    try (Connection connection = dataSource.getConnection()) {
      for (int i = 0; i < 300; i++) {
        scheduled.add(outbox.schedule(connection, topic, "k-" + (i % 5), utf8("e" + i), Map.of()));
      }
    }

    Process halted = relayChild(prefix, "50");
    assertTrue(halted.waitFor(240, TimeUnit.SECONDS), "the relay halted itself");
    assertEquals(9, halted.exitValue());
    for (int round = 0; round < 2; round++) {
      Process victim = relayChild(prefix, "-");
      try {
        ChildProcesses.readUntil(victim, KafkaRelayChild.PUBLISHED, 10 + random.nextInt(60), 20);
      } finally {
        ChildProcesses.kill(victim);
      }
    }
    assertTrue(outbox.pendingCount() > 0, "seed " + seed + ": the kills left work to do");

    try (KafkaProducer<byte[], byte[]> producer = producer();
        OutboxRelay relay =
            OutboxRelay.builder(outbox, KafkaOutboxPublisher.create(producer))
                .lease(Duration.ofSeconds(4))
                .publishTimeout(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(20))
                .build()) {
      relay.start(); // claims of the dead relays run out after their 4 s lease
      assertTrue(
          Eventually.holds(() -> outbox.pendingCount() == 0, Duration.ofMinutes(3)),
          "seed " + seed);
    }
    List<String> published = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : readAll(topic)) {
      published.add(
          new String(
              record.headers().lastHeader(KafkaMessages.MESSAGE_ID_HEADER).value(),
              StandardCharsets.UTF_8));
    }
    assertEquals(scheduled, new HashSet<>(published), "seed " + seed + ": no event lost");
    assertTrue(
        published.size() > scheduled.size(),
        "the event acked before the halt was published again with its id");
  }

  private Process relayChild(String prefix, String haltAt) throws Exception {
    return ChildProcesses.start(
        KafkaRelayChild.class,
        broker.bootstrapServers(),
        PostgresServer.shared().jdbcUrl(),
        prefix,
        haltAt);
  }

  /** Every record of the topic, partition by partition. */
  private List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    Map<TopicPartition, Long> end = KafkaFixtures.endOffsets(topic);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.assign(end.keySet());
      consumer.seekToBeginning(end.keySet());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (end.keySet().stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        assertTrue(System.nanoTime() < deadline, "could not read " + topic + " to its end");
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }
}
