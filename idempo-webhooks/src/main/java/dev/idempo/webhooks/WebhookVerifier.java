package dev.idempo.webhooks;

import java.time.Instant;

/**
 * Checks that a delivery comes from its sender and names its event: one implementation per
 * signature scheme ({@link StripeVerifier}, {@link StandardWebhooksVerifier}, {@link
 * GitHubVerifier}, {@link PayPalVerifier}, {@link HmacVerifier}).
 *
 * <p>Implementations verify over the raw body bytes, compare signatures in constant time ({@link
 * java.security.MessageDigest#isEqual}), accept any of several active secrets (rotation), and never
 * throw anything but {@link WebhookVerificationException} for bad input, however malformed the
 * headers. They are immutable and thread-safe.
 */
public interface WebhookVerifier {
  /** The provider's name, part of the deduplication key: {@code stripe}, {@code github}, .... */
  String provider();

  /**
   * Verifies {@code request} at time {@code now}.
   *
   * @return the event id and, where the scheme has them, its source and signed timestamp
   * @throws WebhookVerificationException if the signature is missing, malformed or wrong, the
   *     timestamp is outside the tolerance, or the event id cannot be found
   */
  VerifiedDelivery verify(WebhookRequest request, Instant now);
}
