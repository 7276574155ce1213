package dev.idempo.messaging;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An event in the outbox, as the relay hands it to an {@link OutboxPublisher}. Immutable; the
 * payload is copied in and out.
 *
 * <p>{@link #id()} is the event's identity everywhere downstream: the Kafka {@code
 * idempo-message-id} header, the AMQP {@code message-id}, the HTTP {@code Idempotency-Key}. A
 * resend after a relay crash carries the same id, so every consumer can dedupe it.
 */
public final class OutboxEvent {
  private final long sequence;
  private final String id;
  private final String destination;
  private final String key;
  private final byte[] payload;
  private final Map<String, String> headers;
  private final int attempts;
  private final Instant createdAt;

  OutboxEvent(
      long sequence,
      String id,
      String destination,
      String key,
      byte[] payload,
      Map<String, String> headers,
      int attempts,
      Instant createdAt) {
    this.sequence = sequence;
    this.id = id;
    this.destination = destination;
    this.key = key;
    this.payload = payload.clone();
    this.headers = Map.copyOf(headers);
    this.attempts = attempts;
    this.createdAt = createdAt;
  }

  /** The row's position in the outbox; events of one key are published in this order. */
  public long sequence() {
    return sequence;
  }

  /** The event id (a random UUID given at {@link Outbox#schedule}). */
  public String id() {
    return id;
  }

  /** Where it goes: a Kafka topic, an AMQP routing key, an HTTP URI, as the publisher reads it. */
  public String destination() {
    return destination;
  }

  /** The ordering key: events with one key are published one after another, in order. */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }

  public byte[] payload() {
    return payload.clone();
  }

  /** Headers, unmodifiable. */
  public Map<String, String> headers() {
    return headers;
  }

  /** Failed publishing attempts so far. */
  public int attempts() {
    return attempts;
  }

  public Instant createdAt() {
    return createdAt;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof OutboxEvent outboxEvent
        && outboxEvent.id.equals(id)
        && outboxEvent.sequence == sequence
        && Arrays.equals(outboxEvent.payload, payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, sequence);
  }

  @Override
  public String toString() {
    return "OutboxEvent["
        + id
        + " #"
        + sequence
        + " to "
        + destination
        + ", key="
        + key
        + ", attempts="
        + attempts
        + "]";
  }
}
