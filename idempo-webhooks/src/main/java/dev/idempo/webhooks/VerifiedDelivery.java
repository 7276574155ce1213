package dev.idempo.webhooks;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link WebhookVerifier} proved about a delivery: the sender's event id, the source that
 * scopes it (GitHub's hook id; empty for providers whose ids are unique per endpoint) and the
 * signed timestamp, if the scheme signs one.
 *
 * @param eventId the id every retry of this event carries: 1 to {@value #MAX_EVENT_ID_LENGTH}
 *     characters, no control characters
 * @param source what the event id is unique within, besides the endpoint; may be empty
 * @param timestamp the signed send time, when the scheme signs one
 */
public record VerifiedDelivery(String eventId, String source, Optional<Instant> timestamp) {
  /** The longest event id accepted. */
  public static final int MAX_EVENT_ID_LENGTH = 255;

  /**
   * @throws WebhookVerificationException ({@link RefusalReason#EVENT_ID_MISSING}) if the event id
   *     is empty, too long or holds control characters
   */
  public VerifiedDelivery {
    Objects.requireNonNull(source, "source must not be null");
    Objects.requireNonNull(timestamp, "timestamp must not be null");
    checkEventId(eventId);
    if (source.length() > MAX_EVENT_ID_LENGTH || hasControl(source)) {
      throw new WebhookVerificationException(
          RefusalReason.EVENT_ID_MISSING, "the event source is not a valid id");
    }
  }

  private static void checkEventId(String eventId) {
    if (eventId == null || eventId.isEmpty()) {
      throw new WebhookVerificationException(
          RefusalReason.EVENT_ID_MISSING, "the delivery carries no event id");
    }
    if (eventId.length() > MAX_EVENT_ID_LENGTH || hasControl(eventId)) {
      throw new WebhookVerificationException(
          RefusalReason.EVENT_ID_MISSING,
          "the event id is not 1 to "
              + MAX_EVENT_ID_LENGTH
              + " characters without control"
              + " characters");
    }
  }

  private static boolean hasControl(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        return true;
      }
    }
    return false;
  }
}
