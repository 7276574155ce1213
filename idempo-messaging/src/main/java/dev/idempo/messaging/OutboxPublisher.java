package dev.idempo.messaging;

import java.util.concurrent.CompletionStage;

/**
 * Publishes outbox events to a destination for the {@link OutboxRelay}. Implementations must pass
 * {@link OutboxEvent#id()} on as the message id or idempotency key, so the destination can dedupe a
 * resend, and must be thread-safe.
 */
@FunctionalInterface
public interface OutboxPublisher {
  /**
   * Starts publishing {@code event}. The stage completes once the destination confirmed it (a Kafka
   * ack with {@code acks=all}, an AMQP publisher confirm, a 2xx answer); exceptionally if it did
   * not. Only then is the event removed from the outbox.
   */
  CompletionStage<?> publish(OutboxEvent event);
}
