/**
 * Idempo on Kafka: {@link dev.idempo.kafka.KafkaConsumerRunner} keeps each partition's offset in
 * the database next to the effect and the dedup record; {@link dev.idempo.kafka.KafkaEventProducer}
 * and {@link dev.idempo.kafka.KafkaOutboxPublisher} send with the event id in a header.
 */
// kafka-clients has an automatic module name only; its types are in this module's API.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.idempo.kafka {
  requires transitive dev.idempo.messaging;
  requires transitive kafka.clients;

  exports dev.idempo.kafka;
}
