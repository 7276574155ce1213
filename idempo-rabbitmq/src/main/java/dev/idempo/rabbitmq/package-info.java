/**
 * Idempo on RabbitMQ: {@link dev.idempo.rabbitmq.RabbitConsumerRunner} (manual acks after the
 * transaction commits, dedup by {@code message-id}) and {@link
 * dev.idempo.rabbitmq.RabbitOutboxPublisher} (the transactional outbox with publisher confirms).
 * Needs {@code com.rabbitmq:amqp-client} 5.x.
 */
package dev.idempo.rabbitmq;
