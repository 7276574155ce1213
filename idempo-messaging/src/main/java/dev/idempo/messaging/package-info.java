/**
 * Idempotent message consumers on JDBC, broker-neutral: the broker adapters ({@code idempo-kafka},
 * {@code idempo-rabbitmq}) turn deliveries into {@link dev.idempo.messaging.Message}s and settle
 * them by the {@link dev.idempo.messaging.ConsumeOutcome}.
 *
 * <ul>
 *   <li>{@link dev.idempo.messaging.TransactionalConsumer}: the dedup record and the handler's
 *       writes commit in one transaction (PostgreSQL, SQLite); one extra statement per message.
 *   <li>{@link dev.idempo.messaging.ClaimingConsumer}: claim → effect → complete in any {@link
 *       dev.idempo.store.IdempotencyStore}, for effects outside the database.
 *   <li>{@link dev.idempo.messaging.DeadLetters}: parked messages, listed and replayed.
 * </ul>
 *
 * A message's identity is (consumer name, message id); the id comes from a {@link
 * dev.idempo.messaging.MessageIdExtractor}, and a message without one is refused.
 */
package dev.idempo.messaging;
