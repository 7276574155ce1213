/**
 * Idempo Kafka for Spring Boot: {@link dev.idempo.kafka.spring.IdempotentListener} on a
 * {@code @KafkaListener} method runs it inside the transactional idempotent consumer on the
 * application's {@code DataSource}; {@code idempo.kafka.*} auto-configuration.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.idempo.kafka.spring {
  requires transitive dev.idempo.kafka;
  requires transitive dev.idempo.messaging;
  requires transitive spring.kafka;
  requires transitive spring.boot.autoconfigure;
  requires transitive spring.aop;
  requires spring.beans;
  requires transitive spring.boot;
  requires spring.context;
  requires spring.core;
  requires spring.jdbc;
  requires spring.tx;

  exports dev.idempo.kafka.spring;
  exports dev.idempo.kafka.spring.autoconfigure;

  // Spring proxies the configuration class and binds the properties by reflection.
  opens dev.idempo.kafka.spring.autoconfigure to
      spring.core,
      spring.beans,
      spring.context,
      spring.boot;
}
