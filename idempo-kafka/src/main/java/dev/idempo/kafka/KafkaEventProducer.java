package dev.idempo.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A Kafka producer set up so consumers can dedupe: {@code enable.idempotence=true} and {@code
 * acks=all} (the broker drops the producer's own retries of a batch), and every record carries its
 * event id in the {@value KafkaMessages#MESSAGE_ID_HEADER} header (so a resend by the application
 * after a lost answer, which the broker cannot recognise, is deduplicated by the consumer).
 *
 * <pre>{@code
 * try (KafkaEventProducer events =
 *     KafkaEventProducer.create(Map.of("bootstrap.servers", servers))) {
 *   events.send("payments", orderId, eventId, payload).get();
 * }
 * }</pre>
 *
 * <p>Thread-safe, like the Kafka producer it wraps and owns.
 */
public final class KafkaEventProducer implements AutoCloseable {
  private final Producer<byte[], byte[]> producer;

  private KafkaEventProducer(Producer<byte[], byte[]> producer) {
    this.producer = producer;
  }

  /**
   * A producer on {@code config} with {@link #idempotentConfig} applied over it.
   *
   * @throws IllegalArgumentException if {@code config} turns idempotence off or sets acks other
   *     than all
   */
  public static KafkaEventProducer create(Map<String, Object> config) {
    return new KafkaEventProducer(
        new KafkaProducer<>(
            idempotentConfig(config), new ByteArraySerializer(), new ByteArraySerializer()));
  }

  /**
   * {@code config} with {@code enable.idempotence=true} and {@code acks=all}; the other settings
   * kept.
   *
   * @throws IllegalArgumentException if {@code config} sets either otherwise
   */
  public static Map<String, Object> idempotentConfig(Map<String, Object> config) {
    Objects.requireNonNull(config, "config must not be null");
    Object idempotence = config.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
    if (idempotence != null && !"true".equalsIgnoreCase(idempotence.toString())) {
      throw new IllegalArgumentException(
          "enable.idempotence must be true for deduplicating consumers, was " + idempotence);
    }
    Object acks = config.get(ProducerConfig.ACKS_CONFIG);
    if (acks != null && !"all".equals(acks.toString()) && !"-1".equals(acks.toString())) {
      throw new IllegalArgumentException("acks must be all with idempotence, was " + acks);
    }
    Map<String, Object> idempotent = new HashMap<>(config);
    idempotent.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    idempotent.put(ProducerConfig.ACKS_CONFIG, "all");
    return idempotent;
  }

  /** Sends {@code payload} under {@code key} (null for none) with its event id. */
  public Future<RecordMetadata> send(String topic, String key, String eventId, byte[] payload) {
    return send(topic, key, eventId, payload, Map.of());
  }

  /** Sends {@code payload} under {@code key} with its event id and further headers. */
  public Future<RecordMetadata> send(
      String topic, String key, String eventId, byte[] payload, Map<String, String> headers) {
    return producer.send(KafkaMessages.record(topic, key, eventId, payload, headers));
  }

  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }
}
