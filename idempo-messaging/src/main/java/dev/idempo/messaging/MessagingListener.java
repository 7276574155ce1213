package dev.idempo.messaging;

/**
 * Observes consumers for metrics and logs. Methods run on the consuming thread, after the outcome's
 * transaction committed; they must be quick and thread-safe, and an exception they throw is
 * ignored.
 */
public interface MessagingListener {
  /** A listener that does nothing. */
  MessagingListener NONE = new MessagingListener() {};

  /** The handler ran and committed. */
  default void onProcessed(String consumer, String messageId) {}

  /** A duplicate was acknowledged without running the handler. */
  default void onDuplicate(String consumer, String messageId) {}

  /** The handler failed; the message will be delivered again ({@code failures} so far). */
  default void onFailed(String consumer, String messageId, Throwable failure, int failures) {}

  /** A message was parked as a dead letter; {@code messageId} is null when it had none. */
  default void onParked(String consumer, String messageId, String reason) {}
}
