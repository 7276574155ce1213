package dev.idempo.messaging;

import dev.idempo.IdempotencyException;

/**
 * A message carries no id where the consumer's {@link MessageIdExtractor} looks, so it cannot be
 * deduplicated and is not processed. Broker runners park such messages as dead letters.
 */
public class MissingMessageIdException extends IdempotencyException {
  private static final long serialVersionUID = 1L;

  public MissingMessageIdException(String consumer, String extractor, Message message) {
    super(
        "consumer "
            + consumer
            + " refuses a message without an id (looked in "
            + extractor
            + "): "
            + message
            + "; it was not processed");
  }
}
