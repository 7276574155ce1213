package dev.idempo.webhooks;

/** Processes one verified event; runs once per event id while its record is retained. */
@FunctionalInterface
public interface WebhookHandler {
  /**
   * Processes {@code event}.
   *
   * @throws Exception to answer 500 and release the event, so the sender's next retry runs it again
   */
  void handle(WebhookEvent event) throws Exception;
}
