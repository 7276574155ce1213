package dev.idempo.messaging;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A parked message and why: what {@link DeadLetters#list} returns. Immutable.
 *
 * @param id the dead letter's own id, for {@link TransactionalConsumer#replay} and {@link
 *     DeadLetters#delete}
 * @param consumer the consumer that parked it
 * @param messageId the message's id; empty when it had none (that is why it was parked)
 * @param failures how many deliveries failed before it was parked
 * @param reason the last failure or the reason for parking, as text
 * @param message the message as delivered
 * @param firstFailedAt when its first delivery failed (or it was parked, if it never ran)
 * @param parkedAt when it was parked
 */
public record DeadLetter(
    long id,
    String consumer,
    Optional<String> messageId,
    int failures,
    String reason,
    Message message,
    Instant firstFailedAt,
    Instant parkedAt) {
  public DeadLetter {
    Objects.requireNonNull(consumer, "consumer");
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(firstFailedAt, "firstFailedAt");
    Objects.requireNonNull(parkedAt, "parkedAt");
  }
}
