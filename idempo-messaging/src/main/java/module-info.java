/**
 * Idempo messaging: broker-neutral idempotent consumers ({@link
 * dev.idempo.messaging.TransactionalConsumer} with the dedup record in the handler's own JDBC
 * transaction, {@link dev.idempo.messaging.ClaimingConsumer} for external effects), dead letters
 * and the transactional {@link dev.idempo.messaging.Outbox} with its {@link
 * dev.idempo.messaging.OutboxRelay}. Micrometer and the HTTP client are optional.
 */
// Micrometer has an automatic module name only.
@SuppressWarnings("requires-automatic")
module dev.idempo.messaging {
  requires transitive dev.idempo.core;
  requires transitive dev.idempo.jdbc;
  requires transitive java.sql;
  // Only for MicrometerMessagingMetrics and HttpOutboxPublisher; the application brings them.
  requires static micrometer.core;
  requires static dev.idempo.client;

  exports dev.idempo.messaging;
}
