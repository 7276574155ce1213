package dev.idempo.kafka;

import dev.idempo.messaging.Message;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Kafka records as {@link Message}s and back. Kafka has no message-id property: header {@value
 * #MESSAGE_ID_HEADER} plays that part, so {@link
 * dev.idempo.messaging.MessageIdExtractor#brokerMessageId()} (the consumers' default extractor)
 * reads it. Stateless and thread-safe.
 */
public final class KafkaMessages {
  /** The header carrying a record's event id; consumers dedupe by it. */
  public static final String MESSAGE_ID_HEADER = "idempo-message-id";

  private KafkaMessages() {}

  /**
   * The record as a message: key and header values decoded as UTF-8 (the last of repeated headers
   * wins), the {@value #MESSAGE_ID_HEADER} header as the broker message id, and {@code
   * topic-partition@offset} as its source. A null value becomes an empty payload.
   */
  public static Message toMessage(ConsumerRecord<byte[], byte[]> record) {
    Message.Builder message =
        Message.builder(record.value() == null ? new byte[0] : record.value())
            .source(record.topic() + "-" + record.partition() + "@" + record.offset());
    if (record.key() != null) {
      message.key(new String(record.key(), StandardCharsets.UTF_8));
    }
    for (Header header : record.headers()) {
      String value =
          header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
      message.header(header.key(), value);
      if (header.key().equals(MESSAGE_ID_HEADER)) {
        message.brokerMessageId(value);
      }
    }
    return message.build();
  }

  /**
   * A record for {@code topic} carrying {@code eventId} in the {@value #MESSAGE_ID_HEADER} header,
   * with {@code key} (records of one key stay in order on one partition; null for none) and further
   * {@code headers}.
   */
  public static ProducerRecord<byte[], byte[]> record(
      String topic, String key, String eventId, byte[] payload, Map<String, String> headers) {
    Objects.requireNonNull(topic, "topic must not be null");
    Objects.requireNonNull(eventId, "eventId must not be null");
    Objects.requireNonNull(payload, "payload must not be null");
    if (eventId.isBlank()) {
      throw new IllegalArgumentException("eventId must not be blank");
    }
    RecordHeaders recordHeaders = new RecordHeaders();
    headers.forEach(
        (name, value) -> recordHeaders.add(name, value.getBytes(StandardCharsets.UTF_8)));
    recordHeaders.remove(MESSAGE_ID_HEADER);
    recordHeaders.add(MESSAGE_ID_HEADER, eventId.getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(
        topic,
        null,
        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        payload,
        recordHeaders);
  }
}
