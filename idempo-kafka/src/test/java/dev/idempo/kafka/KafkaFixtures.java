package dev.idempo.kafka;

import dev.idempo.messaging.TransactionalHandler;
import dev.idempo.testsupport.KafkaBroker;
import dev.idempo.testsupport.MessageEffects;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Topics, consumer settings, the effects handler and offsets, shared by the Kafka tests. */
final class KafkaFixtures {
  private KafkaFixtures() {}

  static String newTopic(String name, int partitions) {
    String topic = name + "-" + UUID.randomUUID().toString().substring(0, 8);
    KafkaBroker.shared().createTopic(topic, partitions);
    return topic;
  }

  /** Consumer settings for fast rebalances in tests. */
  static Map<String, Object> consumerConfig(String bootstrapServers, String group) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 3000);
    config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
    return config;
  }

  /** The handler: one {@link MessageEffects} row per run, named by the event id header. */
  static TransactionalHandler insertEffect(String effects) {
    return (connection, message) ->
        MessageEffects.insert(
            connection,
            effects,
            message.header(KafkaMessages.MESSAGE_ID_HEADER).orElseThrow(),
            message.source());
  }

  /** The end offset of every partition of {@code topic}. */
  static Map<TopicPartition, Long> endOffsets(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers()),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      return consumer.endOffsets(partitions, Duration.ofSeconds(30));
    }
  }

  /** The stored next offset of every partition of {@code group} on {@code topic}. */
  static Map<TopicPartition, Long> storedOffsets(
      DataSource dataSource, String prefix, String group, String topic) {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT partition_id, next_offset FROM "
                    + prefix
                    + "kafka_offsets"
                    + " WHERE group_id = ? AND topic = ?")) {
      select.setString(1, group);
      select.setString(2, topic);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          offsets.put(new TopicPartition(topic, rows.getInt(1)), rows.getLong(2));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return offsets;
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
