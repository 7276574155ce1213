/**
 * Idempotent Spring Kafka listeners: {@link dev.idempo.kafka.spring.IdempotentListener} on a
 * {@code @KafkaListener} method runs it inside the transactional consumer on the application's
 * {@code DataSource}, so a redelivered or resent event takes effect once.
 */
package dev.idempo.kafka.spring;
