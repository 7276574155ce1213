package dev.idempo.messaging;

/**
 * Observes an {@link OutboxRelay} for metrics and logs. Methods run on the relay's thread after the
 * outbox row was updated; they must be quick and thread-safe, and exceptions are ignored. Lag
 * (pending count, oldest pending age) is read from {@link Outbox#pendingCount()} and {@link
 * Outbox#oldestPendingAge()}.
 */
public interface OutboxListener {
  OutboxListener NONE = new OutboxListener() {};

  /** The destination confirmed {@code event}; its row was deleted. */
  default void onPublished(OutboxEvent event) {}

  /** Publishing failed; it is retried after a backoff ({@code attempts} failures so far). */
  default void onFailed(OutboxEvent event, Throwable failure, int attempts) {}

  /** Publishing failed {@code maxAttempts} times: the event is dead-lettered with the reason. */
  default void onDead(OutboxEvent event, Throwable failure) {}
}
