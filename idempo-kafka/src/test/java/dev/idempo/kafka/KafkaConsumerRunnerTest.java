package dev.idempo.kafka;

import static dev.idempo.kafka.KafkaFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.messaging.DeadLetter;
import dev.idempo.messaging.MessagingListener;
import dev.idempo.messaging.TransactionalConsumer;
import dev.idempo.messaging.TransactionalHandler;
import dev.idempo.testsupport.Eventually;
import dev.idempo.testsupport.KafkaBroker;
import dev.idempo.testsupport.MessageEffects;
import dev.idempo.testsupport.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class KafkaConsumerRunnerTest {
  private final KafkaBroker broker = KafkaBroker.shared();
  private final String prefix = TestDatabases.freshPrefix();
  private final String effects = prefix + "effects";

  private TransactionalConsumer.Builder payments(DataSource dataSource) {
    return TransactionalConsumer.builder(dataSource, "payments").tablePrefix(prefix);
  }

  private KafkaConsumerRunner runner(
      TransactionalConsumer consumer, String group, String topic, TransactionalHandler handler) {
    return KafkaConsumerRunner.builder(
            KafkaFixtures.consumerConfig(broker.bootstrapServers(), group), consumer, handler)
        .topics(topic)
        .pollTimeout(Duration.ofMillis(100))
        .retryBackoff(Duration.ofMillis(50))
        .build();
  }

  /**
   * Three runners join and leave one group while 400 events (and 60 resends of them at new offsets)
   * flow into four partitions: every event takes effect exactly once, counted in SQLite, and every
   * partition's stored offset reaches its end.
   */
  @Test
  void exactlyOnceEffectsThroughRebalancesWithProducerResends() throws Exception {
    DataSource dataSource = TestDatabases.newSqlite();
    MessageEffects.create(dataSource, effects);
    AtomicInteger duplicates = new AtomicInteger();
    TransactionalConsumer consumer =
        payments(dataSource)
            .listener(
                new MessagingListener() {
                  @Override
                  public void onDuplicate(String name, String messageId) {
                    duplicates.incrementAndGet();
                  }
                })
            .build();
    String topic = KafkaFixtures.newTopic("rebalance", 4);
    AtomicInteger[] handled = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
    String group = "payments-" + topic;
    int events = 400;
    CountDownLatch quarter = new CountDownLatch(events / 4);
    AtomicReference<Throwable> producerFailure = new AtomicReference<>();
    Thread producer =
        new Thread(
            () -> {
              try (KafkaEventProducer send =
                  KafkaEventProducer.create(
                      Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                for (int i = 0; i < events; i++) {
                  String key = "order-" + (i % 16);
                  send.send(topic, key, "e-" + i, utf8("charge " + i)).get();
                  if (i % 7 == 0) {
                    // a resend after a lost ack: a new offset, the same event id
                    send.send(topic, key, "e-" + i, utf8("charge " + i)).get();
                  }
                  quarter.countDown();
                  Thread.sleep(10); // paced, so the membership changes happen while events flow
                }
                send.flush();
              } catch (Throwable e) {
                producerFailure.set(e);
              }
            },
            "producer");

    List<KafkaConsumerRunner> runners = new ArrayList<>();
    try {
      KafkaConsumerRunner first = runner(consumer, group, topic, counted(handled[0]));
      runners.add(first);
      first.start();
      producer.start();
      assertTrue(quarter.await(60, TimeUnit.SECONDS));
      KafkaConsumerRunner second = runner(consumer, group, topic, counted(handled[1]));
      runners.add(second);
      second.start();
      Eventually.holds(
          () -> MessageEffects.distinct(dataSource, effects) >= events / 2, Duration.ofMinutes(3));
      KafkaConsumerRunner third = runner(consumer, group, topic, counted(handled[2]));
      runners.add(third);
      third.start();
      first.close(); // leaves while events flow: its partitions move to the others
      producer.join(120_000);
      assertEquals(null, producerFailure.get());

      boolean drained =
          Eventually.holds(
              () -> MessageEffects.distinct(dataSource, effects) == events, Duration.ofMinutes(4));
      assertTrue(
          drained,
          "effects of "
              + MessageEffects.distinct(dataSource, effects)
              + " of "
              + events
              + " events");
      Map<TopicPartition, Long> end = KafkaFixtures.endOffsets(topic);
      assertTrue(
          Eventually.holds(
              () -> KafkaFixtures.storedOffsets(dataSource, prefix, group, topic).equals(end),
              Duration.ofSeconds(30)),
          "stored offsets reach the end: " + end);
    } finally {
      runners.forEach(KafkaConsumerRunner::close);
    }
    assertEquals(List.of(), MessageEffects.duplicated(dataSource, effects));
    assertEquals(events, TestDatabases.count(dataSource, "SELECT COUNT(*) FROM " + effects));
    assertTrue(
        duplicates.get() >= 58,
        "the 58 resends were acknowledged as duplicates, saw " + duplicates.get());
    for (AtomicInteger runs : handled) {
      assertTrue(runs.get() > 0, "every runner got partitions in a rebalance: " + List.of(handled));
    }
    for (KafkaConsumerRunner runner : runners) {
      assertEquals(null, runner.failure());
    }
  }

  private TransactionalHandler counted(AtomicInteger runs) {
    TransactionalHandler insert = KafkaFixtures.insertEffect(effects);
    return (connection, message) -> {
      insert.handle(connection, message);
      runs.incrementAndGet(); // counts attempts; only committed ones are in the effects table
    };
  }

  @Test
  void aRecordWithoutIdAndAPoisonRecordAreParkedAndThePartitionMovesOn() throws Exception {
    DataSource dataSource = TestDatabases.newSqlite();
    MessageEffects.create(dataSource, effects);
    TransactionalConsumer consumer = payments(dataSource).maxFailures(2).build();
    String topic = KafkaFixtures.newTopic("poison", 1);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            KafkaEventProducer.idempotentConfig(
                Map.of("bootstrap.servers", broker.bootstrapServers())),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      producer.send(KafkaMessages.record(topic, null, "e-1", utf8("ok"), Map.of())).get();
      producer.send(new ProducerRecord<>(topic, utf8("no id at all"))).get();
      producer.send(KafkaMessages.record(topic, null, "e-2", utf8("poison"), Map.of())).get();
      producer.send(KafkaMessages.record(topic, null, "e-3", utf8("ok"), Map.of())).get();
    }
    TransactionalHandler handler =
        (connection, message) -> {
          String payload = new String(message.payload(), java.nio.charset.StandardCharsets.UTF_8);
          if (payload.equals("poison")) {
            throw new IllegalArgumentException("cannot parse " + message.source());
          }
          KafkaFixtures.insertEffect(effects).handle(connection, message);
        };
    String group = "poison-" + topic;
    try (KafkaConsumerRunner runner = runner(consumer, group, topic, handler)) {
      runner.start();
      assertTrue(
          Eventually.holds(
              () ->
                  KafkaFixtures.storedOffsets(dataSource, prefix, group, topic)
                          .getOrDefault(new TopicPartition(topic, 0), 0L)
                      == 4L,
              Duration.ofMinutes(3)));
    }
    assertEquals(2, MessageEffects.distinct(dataSource, effects));
    List<DeadLetter> parked = consumer.deadLetters().list("payments", 10);
    assertEquals(2, parked.size());
    assertTrue(parked.get(0).messageId().isEmpty());
    assertTrue(parked.get(0).reason().contains("without an id"), parked.get(0).reason());
    assertEquals(topic + "-0@1", parked.get(0).message().source());
    assertEquals("e-2", parked.get(1).messageId().orElseThrow());
    assertEquals(2, parked.get(1).failures());
    assertTrue(parked.get(1).reason().contains("cannot parse"), parked.get(1).reason());
  }

  @Test
  void onAssignmentTheRunnerSeeksToTheOffsetStoredInTheDatabase() throws Exception {
    DataSource dataSource = TestDatabases.newSqlite();
    MessageEffects.create(dataSource, effects);
    TransactionalConsumer consumer = payments(dataSource).build();
    String topic = KafkaFixtures.newTopic("seek", 1);
    String group = "seek-" + topic;
    try (KafkaEventProducer producer =
        KafkaEventProducer.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      for (int i = 0; i < 6; i++) {
        producer.send(topic, null, "e-" + i, utf8("x")).get();
      }
    }
    KafkaOffsets offsets = new KafkaOffsets(dataSource, consumer.dialect(), prefix);
    offsets.create();
    try (Connection connection = dataSource.getConnection()) {
      offsets.advance(connection, group, new TopicPartition(topic, 0), 3);
    }
    try (KafkaConsumerRunner runner =
        runner(consumer, group, topic, KafkaFixtures.insertEffect(effects))) {
      runner.start();
      assertTrue(
          Eventually.holds(
              () ->
                  KafkaFixtures.storedOffsets(dataSource, prefix, group, topic)
                          .get(new TopicPartition(topic, 0))
                      == 6L,
              Duration.ofMinutes(3)));
    }
    assertEquals(3, MessageEffects.distinct(dataSource, effects));
    assertEquals(
        0,
        TestDatabases.count(
            dataSource,
            "SELECT COUNT(*) FROM " + effects + " WHERE message_id IN ('e-0', 'e-1', 'e-2')"));
  }

  @Test
  void badConfigurationIsRefusedNamingTheSetting() throws SQLException {
    TransactionalConsumer consumer = payments(TestDatabases.newSqlite()).build();
    TransactionalHandler handler = (connection, message) -> {};
    IllegalArgumentException noGroup =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                KafkaConsumerRunner.builder(
                    Map.of("bootstrap.servers", "127.0.0.1:1"), consumer, handler));
    assertTrue(noGroup.getMessage().contains("group.id"));
    IllegalArgumentException autoCommit =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                KafkaConsumerRunner.builder(
                    Map.of(
                        "bootstrap.servers",
                        "127.0.0.1:1",
                        "group.id",
                        "g",
                        "enable.auto.commit",
                        "true"),
                    consumer,
                    handler));
    assertTrue(autoCommit.getMessage().contains("enable.auto.commit"));
    IllegalArgumentException idempotence =
        assertThrows(
            IllegalArgumentException.class,
            () -> KafkaEventProducer.idempotentConfig(Map.of("enable.idempotence", "false")));
    assertTrue(idempotence.getMessage().contains("enable.idempotence"));
  }
}
