package dev.idempo.webhooks;

import java.time.Duration;
import java.time.Instant;

/** The window around now in which a signed timestamp is accepted. */
final class Tolerance {
  /** The longest tolerance accepted: one day; a longer one makes a signed timestamp pointless. */
  static final Duration MAX = Duration.ofDays(1);

  /** The default: five minutes, as Stripe's and the Standard Webhooks libraries use. */
  static final Duration DEFAULT = Duration.ofMinutes(5);

  private Tolerance() {}

  static Duration check(Duration tolerance) {
    if (tolerance == null) {
      throw new NullPointerException("tolerance must not be null");
    }
    if (tolerance.isNegative() || tolerance.isZero() || tolerance.compareTo(MAX) > 0) {
      throw new IllegalArgumentException(
          "tolerance must be more than zero and at most " + MAX + ", was " + tolerance);
    }
    return tolerance;
  }

  /**
   * Refuses {@code timestamp} if it lies more than {@code tolerance} before or after {@code now}.
   */
  static void require(Instant timestamp, Instant now, Duration tolerance) {
    if (timestamp.isBefore(now.minus(tolerance))) {
      throw new WebhookVerificationException(
          RefusalReason.TIMESTAMP_STALE,
          "the signed timestamp is more than " + tolerance.toSeconds() + " s old");
    }
    if (timestamp.isAfter(now.plus(tolerance))) {
      throw new WebhookVerificationException(
          RefusalReason.TIMESTAMP_IN_FUTURE,
          "the signed timestamp is more than " + tolerance.toSeconds() + " s in the future");
    }
  }

  /**
   * Parses Unix seconds: 1 to 12 decimal digits, nothing else (no sign, no spaces).
   *
   * @throws WebhookVerificationException if {@code seconds} is not such a number
   */
  static Instant parseEpochSeconds(String seconds, String header) {
    if (seconds.isEmpty() || seconds.length() > 12) {
      throw malformedTimestamp(header);
    }
    long value = 0;
    for (int i = 0; i < seconds.length(); i++) {
      char c = seconds.charAt(i);
      if (c < '0' || c > '9') {
        throw malformedTimestamp(header);
      }
      value = value * 10 + (c - '0');
    }
    return Instant.ofEpochSecond(value);
  }

  private static WebhookVerificationException malformedTimestamp(String header) {
    return new WebhookVerificationException(
        RefusalReason.SIGNATURE_MALFORMED, "the timestamp in " + header + " is not Unix seconds");
  }
}
