package dev.idempo.kafka;

import dev.idempo.messaging.OutboxEvent;
import dev.idempo.messaging.OutboxPublisher;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes outbox events to Kafka: the event's destination is the topic, its key the record key
 * (so one key stays on one partition, in order), and its id goes in the {@value
 * KafkaMessages#MESSAGE_ID_HEADER} header, where {@link KafkaConsumerRunner} dedupes a resend. A
 * publish completes when the broker acknowledged it.
 *
 * <p>Give it a producer made with {@link KafkaEventProducer#idempotentConfig} (idempotence on,
 * {@code acks=all}), with a {@code delivery.timeout.ms} below the relay's publish timeout.
 * Thread-safe; does not own the producer.
 */
public final class KafkaOutboxPublisher implements OutboxPublisher {
  private final Producer<byte[], byte[]> producer;

  private KafkaOutboxPublisher(Producer<byte[], byte[]> producer) {
    this.producer = producer;
  }

  public static KafkaOutboxPublisher create(Producer<byte[], byte[]> producer) {
    return new KafkaOutboxPublisher(Objects.requireNonNull(producer, "producer must not be null"));
  }

  @Override
  public CompletionStage<?> publish(OutboxEvent event) {
    CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    // The callback gets the outcome the returned future would: acknowledged carries it.
    Future<RecordMetadata> unused =
        producer.send(
            KafkaMessages.record(
                event.destination(),
                event.key().orElse(null),
                event.id(),
                event.payload(),
                event.headers()),
            (metadata, failure) -> {
              if (failure == null) {
                acknowledged.complete(null);
              } else {
                acknowledged.completeExceptionally(failure);
              }
            });
    return acknowledged;
  }
}
