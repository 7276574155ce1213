package dev.idempo.messaging;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A message as every broker adapter hands it to a consumer: payload bytes, string headers, an
 * optional key, the broker's own message id if it has one (AMQP's {@code message-id} property), and
 * where it came from ({@code "orders-3@1042"}, {@code "queue payments"}), for dead letters and
 * logs. Immutable and thread-safe; the payload is copied in and out.
 */
public final class Message {
  private final byte[] payload;
  private final Map<String, String> headers;
  private final String key;
  private final String brokerMessageId;
  private final String source;

  private Message(Builder builder) {
    this.payload = builder.payload.clone();
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(builder.headers));
    this.key = builder.key;
    this.brokerMessageId = builder.brokerMessageId;
    this.source = builder.source;
  }

  /**
   * A builder for a message carrying {@code payload}.
   *
   * @throws NullPointerException if {@code payload} is null
   */
  public static Builder builder(byte[] payload) {
    return new Builder(Objects.requireNonNull(payload, "payload must not be null"));
  }

  /** A copy of the payload. */
  public byte[] payload() {
    return payload.clone();
  }

  /** The headers, in the order given; unmodifiable. */
  public Map<String, String> headers() {
    return headers;
  }

  /** The header's value, if present. */
  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name));
  }

  /** The message key (a Kafka record key, an outbox event's ordering key), if any. */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }

  /** The broker's own message id property, if the broker has one and the producer set it. */
  public Optional<String> brokerMessageId() {
    return Optional.ofNullable(brokerMessageId);
  }

  /** Where the message came from, for dead letters and logs; empty string if not given. */
  public String source() {
    return source;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof Message that)) {
      return false;
    }
    return Arrays.equals(payload, that.payload)
        && headers.equals(that.headers)
        && Objects.equals(key, that.key)
        && Objects.equals(brokerMessageId, that.brokerMessageId)
        && source.equals(that.source);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(payload), headers, key, brokerMessageId, source);
  }

  @Override
  public String toString() {
    return "Message[source="
        + source
        + ", key="
        + key
        + ", brokerMessageId="
        + brokerMessageId
        + ", headers="
        + headers.keySet()
        + ", "
        + payload.length
        + " bytes]";
  }

  /** Configures a {@link Message}. Not thread-safe. */
  public static final class Builder {
    private final byte[] payload;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String key;
    private String brokerMessageId;
    private String source = "";

    private Builder(byte[] payload) {
      this.payload = payload;
    }

    /** Adds or replaces a header. */
    public Builder header(String name, String value) {
      headers.put(
          Objects.requireNonNull(name, "header name must not be null"),
          Objects.requireNonNull(value, "value of header " + name + " must not be null"));
      return this;
    }

    /** Adds or replaces every header in {@code headers}. */
    public Builder headers(Map<String, String> headers) {
      headers.forEach(this::header);
      return this;
    }

    /** The message key; null for none. */
    public Builder key(String key) {
      this.key = key;
      return this;
    }

    /** The broker's message id property; null for none. */
    public Builder brokerMessageId(String brokerMessageId) {
      this.brokerMessageId = brokerMessageId;
      return this;
    }

    /** Where the message came from, for dead letters and logs. */
    public Builder source(String source) {
      this.source = Objects.requireNonNull(source, "source must not be null");
      return this;
    }

    public Message build() {
      return new Message(this);
    }
  }
}
