package dev.idempo.messaging;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where a message's identity comes from: a broker property, a header or the payload. A consumer
 * refuses a message whose extractor finds no id ({@link MissingMessageIdException}): it is never
 * processed unguarded. Implementations must be thread-safe and side-effect free.
 */
@FunctionalInterface
public interface MessageIdExtractor {
  /** The message's id, or empty if it carries none; an empty or blank string counts as none. */
  Optional<String> extract(Message message);

  /** What the extractor reads, for error messages; override it in your own extractors. */
  default String describe() {
    return "a custom extractor";
  }

  /** The broker's message id property (AMQP {@code message-id}). */
  static MessageIdExtractor brokerMessageId() {
    return described(Message::brokerMessageId, "the broker's message-id property");
  }

  /** The value of header {@code name}. */
  static MessageIdExtractor header(String name) {
    Objects.requireNonNull(name, "header name must not be null");
    return described(message -> message.header(name), "header " + name);
  }

  /**
   * What {@code read} finds in the payload (say, a JSON field); {@code read} returns null for none.
   */
  static MessageIdExtractor payload(Function<byte[], String> read, String description) {
    Objects.requireNonNull(read, "read must not be null");
    return described(
        message -> Optional.ofNullable(read.apply(message.payload())),
        "the payload: " + description);
  }

  /** The whole payload as UTF-8 text; for messages whose body is their id. */
  static MessageIdExtractor payloadText() {
    return payload(bytes -> new String(bytes, StandardCharsets.UTF_8), "the whole payload as text");
  }

  /** This extractor's id, or else {@code fallback}'s. */
  default MessageIdExtractor orElse(MessageIdExtractor fallback) {
    Objects.requireNonNull(fallback, "fallback must not be null");
    MessageIdExtractor first = this;
    return described(
        message -> {
          Optional<String> id = first.extract(message).filter(value -> !value.isBlank());
          return id.isPresent() ? id : fallback.extract(message);
        },
        first.describe() + ", else " + fallback.describe());
  }

  private static MessageIdExtractor described(
      Function<Message, Optional<String>> extract, String description) {
    return new MessageIdExtractor() {
      @Override
      public Optional<String> extract(Message message) {
        return extract.apply(message);
      }

      @Override
      public String describe() {
        return description;
      }
    };
  }
}
