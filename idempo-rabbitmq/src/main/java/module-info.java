/**
 * Idempo on RabbitMQ: {@link dev.idempo.rabbitmq.RabbitConsumerRunner} acks only after the
 * transaction that holds the effect and the dedup record commits; {@link
 * dev.idempo.rabbitmq.RabbitOutboxPublisher} publishes with confirms and the outbox id as the
 * message id.
 */
// amqp-client has an automatic module name only; its types are in this module's API.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.idempo.rabbitmq {
  requires transitive dev.idempo.messaging;
  requires transitive com.rabbitmq.client;

  exports dev.idempo.rabbitmq;
}
