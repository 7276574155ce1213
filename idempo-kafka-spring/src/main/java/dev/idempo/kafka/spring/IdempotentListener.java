package dev.idempo.kafka.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a {@code @KafkaListener} method as an idempotent consumer: inside one JDBC transaction on
 * the application's {@code DataSource} with the record's dedup record, so the listener's own writes
 * (through {@code JdbcTemplate}, or {@code @Transactional} code joining the transaction) commit
 * together with it or not at all. A record whose id was consumed before is acknowledged without
 * invoking the method; a method that throws rolls everything back and the container delivers the
 * record again.
 *
 * <pre>{@code
 * @KafkaListener(topics = "payments")
 * @IdempotentListener(name = "payments", messageId = "header:event-id")
 * void charge(String order) {
 *   jdbc.update("INSERT INTO charges(order_id) VALUES (?)", order);
 * }
 * }</pre>
 *
 * <p>Needs {@code idempo-kafka-spring} on the class path and a single {@code DataSource} bean
 * (PostgreSQL or SQLite); record listeners only, not batch listeners.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface IdempotentListener {
  /**
   * The consumer's name: dedup records are per name and message id. Empty (the default) takes the
   * listener's consumer group id.
   */
  String name() default "";

  /**
   * Where the record's id is: {@code header:<name>}, {@code key} or {@code payload} (the whole
   * value as text). Empty (the default) takes {@code idempo.kafka.message-id}, itself {@code
   * header:idempo-message-id} (the header {@code KafkaEventProducer} and the outbox relay set)
   * unless configured.
   */
  String messageId() default "";
}
