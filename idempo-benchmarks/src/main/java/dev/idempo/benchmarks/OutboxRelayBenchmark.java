package dev.idempo.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idempo.kafka.KafkaMessages;
import dev.idempo.kafka.KafkaOutboxPublisher;
import dev.idempo.messaging.Outbox;
import dev.idempo.messaging.OutboxRelay;
import dev.idempo.testsupport.KafkaBroker;
import dev.idempo.testsupport.PostgresServer;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Outbox relay throughput to Kafka against a plain producer loop sending the same events (same
 * keys, payloads and producer settings: {@code enable.idempotence=true}, {@code acks=all}), on one
 * KRaft broker (a child process from this class path) and PostgreSQL, in one run, rounds
 * interleaved. The outbox is filled before the clock starts (scheduling is the application's
 * transaction, not the relay's work); the relay's time runs from its first claim to the empty
 * outbox. A first round warms up and is not printed. Every round then reads its topic back and
 * checks that each key's events arrived in order.
 *
 * <pre>
 * java -cp idempo-benchmarks/target/benchmarks.jar dev.idempo.benchmarks.OutboxRelayBenchmark \
 *     [events per row, 20000] [keys, 1000] [rounds, 3] [batch size, 1000]
 * </pre>
 *
 * Not thread-safe; a main program.
 */
public final class OutboxRelayBenchmark {
  private OutboxRelayBenchmark() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int keys = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int batchSize = args.length > 3 ? Integer.parseInt(args[3]) : 1_000;
    KafkaBroker broker = KafkaBroker.start();
    try (PostgresServer server = PostgresServer.start();
        HikariDataSource data = pool(server);
        KafkaProducer<byte[], byte[]> producer = producer(broker)) {
      Outbox outbox = Outbox.builder(data).build();
      System.out.printf(
          Locale.ROOT,
          "%d events per row over %d keys, relay batch %d, PostgreSQL + KRaft broker%n",
          events,
          keys,
          batchSize);
      System.out.printf(
          Locale.ROOT, "%-30s %10s %12s %10s%n", "variant", "events/s", "vs plain", "order");
      // Round 0 warms up the producer, the relay and the JIT; it is not printed.
      for (int round = 0; round <= rounds; round++) {
        String plainTopic = "plain-" + round;
        String relayTopic = "relay-" + round;
        broker.createTopic(plainTopic, 8);
        broker.createTopic(relayTopic, 8);

        long start = System.nanoTime();
        List<Future<?>> sends = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
          sends.add(
              producer.send(
                  KafkaMessages.record(
                      plainTopic,
                      key(i, keys),
                      UUID.randomUUID().toString(),
                      payload(i / keys),
                      Map.of())));
        }
        producer.flush();
        for (Future<?> send : sends) {
          send.get();
        }
        double plain = events / ((System.nanoTime() - start) / 1e9);
        String plainOrder = inOrder(broker, plainTopic, events);
        if (round > 0) {
          System.out.printf(
              Locale.ROOT,
              "round %d %-22s %10.0f %12s %10s%n",
              round,
              "plain producer loop",
              plain,
              "1.00x",
              plainOrder);
        }

        try (Connection c = data.getConnection()) {
          c.setAutoCommit(false);
          for (int i = 0; i < events; i++) {
            outbox.schedule(c, relayTopic, key(i, keys), payload(i / keys), Map.of());
          }
          c.commit();
        }
        try (OutboxRelay relay =
            OutboxRelay.builder(outbox, KafkaOutboxPublisher.create(producer))
                .batchSize(batchSize)
                .publishTimeout(Duration.ofSeconds(30))
                .build()) {
          start = System.nanoTime();
          long relayed = 0;
          while (relayed < events) {
            relayed += relay.relayOnce();
          }
          double rate = events / ((System.nanoTime() - start) / 1e9);
          String relayOrder = inOrder(broker, relayTopic, events);
          if (round > 0) {
            System.out.printf(
                Locale.ROOT,
                "round %d %-22s %10.0f %12s %10s%n",
                round,
                "outbox relay",
                rate,
                String.format(Locale.ROOT, "%.2fx", rate / plain),
                relayOrder);
          }
        }
      }
    } finally {
      broker.stop();
    }
  }

  private static String key(int i, int keys) {
    return "key-" + (i % keys);
  }

  /** The event's sequence number within its key, for the order check. */
  private static byte[] payload(int sequence) {
    return ByteBuffer.allocate(64).putInt(sequence).array();
  }

  /** Reads the topic back: "kept" if every key's sequence numbers arrived 0, 1, 2, … */
  private static String inOrder(KafkaBroker broker, String topic, int events) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "order-check-" + topic);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    Map<String, Integer> next = new HashMap<>();
    int read = 0;
    boolean kept = true;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (read < events && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          String key = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
          int sequence = ByteBuffer.wrap(record.value()).getInt();
          int expected = next.getOrDefault(key, 0);
          if (sequence != expected) {
            kept = false;
          }
          next.put(key, sequence + 1);
          read++;
        }
      }
    }
    return read < events ? "missing " + (events - read) : kept ? "kept" : "BROKEN";
  }

  private static KafkaProducer<byte[], byte[]> producer(KafkaBroker broker) {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(config);
  }

  private static HikariDataSource pool(PostgresServer server) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(server.jdbcUrl());
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(4);
    return new HikariDataSource(config);
  }
}
