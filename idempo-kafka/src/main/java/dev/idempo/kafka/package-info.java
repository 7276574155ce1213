/**
 * Idempo on Kafka: {@link dev.idempo.kafka.KafkaConsumerRunner} (exactly-once effects into
 * PostgreSQL or SQLite, offsets stored with each effect), {@link
 * dev.idempo.kafka.KafkaEventProducer} (idempotent producer, event id header) and {@link
 * dev.idempo.kafka.KafkaOutboxPublisher} (the transactional outbox's Kafka side). Needs {@code
 * org.apache.kafka:kafka-clients} 4.x.
 */
package dev.idempo.kafka;
