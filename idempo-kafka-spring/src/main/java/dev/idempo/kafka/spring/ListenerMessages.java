package dev.idempo.kafka.spring;

import dev.idempo.kafka.KafkaMessages;
import dev.idempo.messaging.Message;
import dev.idempo.messaging.MessageIdExtractor;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Spring Kafka records (any key and value types, already deserialized) as messages, and the {@code
 * messageId} strings of {@link IdempotentListener} as extractors. Stateless and thread-safe.
 */
public final class ListenerMessages {
  private ListenerMessages() {}

  /**
   * The record as a message: the value as bytes ({@code byte[]} as is, else its text as UTF-8; null
   * as empty), the key as text, header values decoded as UTF-8, the {@value
   * KafkaMessages#MESSAGE_ID_HEADER} header as the broker message id.
   */
  public static Message toMessage(ConsumerRecord<?, ?> record) {
    Message.Builder message =
        Message.builder(bytes(record.value()))
            .source(record.topic() + "-" + record.partition() + "@" + record.offset());
    if (record.key() != null) {
      message.key(new String(bytes(record.key()), StandardCharsets.UTF_8));
    }
    for (Header header : record.headers()) {
      String value =
          header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
      message.header(header.key(), value);
      if (header.key().equals(KafkaMessages.MESSAGE_ID_HEADER)) {
        message.brokerMessageId(value);
      }
    }
    return message.build();
  }

  /**
   * The extractor {@code spec} names: {@code header:<name>}, {@code key} or {@code payload}.
   *
   * @throws IllegalArgumentException naming {@code spec} if it is none of these
   */
  public static MessageIdExtractor extractor(String spec) {
    if (spec == null) {
      throw new IllegalArgumentException("message id must not be null");
    }
    if (spec.startsWith("header:") && spec.length() > "header:".length()) {
      return MessageIdExtractor.header(spec.substring("header:".length()));
    }
    if (spec.equals("key")) {
      return new MessageIdExtractor() {
        @Override
        public Optional<String> extract(Message message) {
          return message.key();
        }

        @Override
        public String describe() {
          return "the record key";
        }
      };
    }
    if (spec.equals("payload")) {
      return MessageIdExtractor.payloadText();
    }
    throw new IllegalArgumentException(
        "message id '" + spec + "' is not header:<name>, key or payload");
  }

  private static byte[] bytes(Object value) {
    if (value == null) {
      return new byte[0];
    }
    if (value instanceof byte[] bytes) {
      return bytes;
    }
    return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
  }
}
