package dev.idempo.kafka;

import static dev.idempo.kafka.KafkaFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.messaging.TransactionalConsumer;
import dev.idempo.testsupport.ChildProcesses;
import dev.idempo.testsupport.Eventually;
import dev.idempo.testsupport.KafkaBroker;
import dev.idempo.testsupport.MessageEffects;
import dev.idempo.testsupport.PostgresServer;
import dev.idempo.testsupport.TestDatabases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Consumer processes SIGKILLed mid-stream — once between a record's effect and the commit of its
 * offset, then at random points — and a last one that drains the topic: every event takes effect
 * exactly once, counted in PostgreSQL afterwards.
 */
class KafkaCrashTest {
  private final KafkaBroker broker = KafkaBroker.shared();

  @Test
  void consumersKilledBetweenEffectAndOffsetCommitAndAtRandomPointsTakeEffectOnce()
      throws Exception {
    run(300, 3);
  }

  /** The same with ten times the events and random kills; {@code -Pstress}. */
  @Test
  @Tag("stress")
  void aStormOfConsumerKillsTakesEffectOnce() throws Exception {
    run(6000, 15);
  }

  private void run(int events, int randomKills) throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    DataSource dataSource = TestDatabases.postgres();
    String prefix = TestDatabases.freshPrefix();
    String effects = prefix + "effects";
    MessageEffects.create(dataSource, effects);
    TransactionalConsumer.builder(dataSource, "payments").tablePrefix(prefix).build(); // tables
    new KafkaOffsets(dataSource, dev.idempo.jdbc.Dialect.POSTGRESQL, prefix).create();
    String topic = KafkaFixtures.newTopic("crash", 3);
    String group = "crash-" + topic;
    try (KafkaEventProducer producer =
        KafkaEventProducer.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < events; i++) {
        sent.add(producer.send(topic, "order-" + (i % 10), "e-" + i, utf8("charge " + i)));
        if (i % 10 == 0) {
          // a resend
          sent.add(producer.send(topic, "order-" + (i % 10), "e-" + i, utf8("charge " + i)));
        }
      }
      producer.flush();
      for (Future<RecordMetadata> each : sent) {
        each.get(); // a send the broker refused would make every count below meaningless
      }
    }

    // 1. Killed inside the handler of e-30: its effect, dedup record and offset are one
    //    uncommitted transaction, so none of them is there.
    Process stopped = child(prefix, effects, topic, group, "e-30");
    try {
      ChildProcesses.awaitLine(stopped, "inside e-30");
    } finally {
      ChildProcesses.kill(stopped);
    }
    assertEquals(
        0,
        TestDatabases.count(
            dataSource, "SELECT COUNT(*) FROM " + effects + " WHERE message_id = 'e-30'"));

    // 2. Killed at random points while consuming: after a random number of commits, wherever
    //    the next record is by then (polling, inside a handler, committing).
    for (int round = 0; round < randomKills; round++) {
      Process victim = child(prefix, effects, topic, group, "-");
      try {
        ChildProcesses.readUntil(victim, KafkaCrashChild.PROCESSED, 10 + random.nextInt(90), 20);
      } finally {
        ChildProcesses.kill(victim);
      }
    }

    // 3. A last consumer drains the topic.
    Process last = child(prefix, effects, topic, group, "-");
    try {
      boolean drained =
          Eventually.holds(
              () -> MessageEffects.distinct(dataSource, effects) == events, Duration.ofMinutes(5));
      assertTrue(
          drained,
          "seed "
              + seed
              + ": effects of "
              + MessageEffects.distinct(dataSource, effects)
              + " of "
              + events
              + " events");
      Map<TopicPartition, Long> end = KafkaFixtures.endOffsets(topic);
      assertTrue(
          Eventually.holds(
              () -> KafkaFixtures.storedOffsets(dataSource, prefix, group, topic).equals(end),
              Duration.ofMinutes(3)),
          "seed " + seed + ": stored offsets reach the end " + end);
    } finally {
      ChildProcesses.kill(last);
    }
    assertEquals(List.of(), MessageEffects.duplicated(dataSource, effects), "seed " + seed);
    assertEquals(events, TestDatabases.count(dataSource, "SELECT COUNT(*) FROM " + effects));
  }

  private Process child(String prefix, String effects, String topic, String group, String stopAt)
      throws Exception {
    return ChildProcesses.start(
        KafkaCrashChild.class,
        broker.bootstrapServers(),
        PostgresServer.shared().jdbcUrl(),
        prefix,
        effects,
        topic,
        group,
        stopAt);
  }
}
