package dev.idempo.client;

import java.math.BigDecimal;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The delay a server asks for: {@code Retry-After-Ms} (milliseconds, possibly fractional, as sent
 * by OpenAI and Anthropic) when present and valid, else {@code Retry-After} as delta-seconds or an
 * HTTP-date (IMF-fixdate, and the obsolete RFC 850 and asctime forms RFC 9110 §5.6.7 requires
 * recipients to accept). A date in the past means "now". Invalid values are ignored, so the
 * policy's own backoff applies. Absurdly long values saturate at {@link #SATURATED}, which any
 * policy treats as too long.
 */
final class ServerDelay {
  static final String RETRY_AFTER = "Retry-After";
  static final String RETRY_AFTER_MS = "Retry-After-Ms";

  /** Longer than any policy honours (the policy caps server delays at 1 hour). */
  static final Duration SATURATED = Duration.ofDays(365);

  private static final Pattern DELTA_SECONDS = Pattern.compile("[0-9]+");
  private static final Pattern MILLISECONDS = Pattern.compile("[0-9]+(\\.[0-9]+)?");
  private static final BigDecimal SATURATED_MILLIS = BigDecimal.valueOf(SATURATED.toMillis());

  private static final List<DateTimeFormatter> HTTP_DATES =
      List.of(
          // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
          DateTimeFormatter.RFC_1123_DATE_TIME,
          // rfc850-date: Sunday, 06-Nov-94 08:49:37 GMT
          new DateTimeFormatterBuilder()
              .appendPattern("EEEE, dd-MMM-")
              .appendValueReduced(ChronoField.YEAR, 2, 2, 1970)
              .appendPattern(" HH:mm:ss 'GMT'")
              .toFormatter(Locale.US)
              .withZone(ZoneOffset.UTC),
          // asctime-date: Sun Nov  6 08:49:37 1994
          DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US)
              .withZone(ZoneOffset.UTC));

  private ServerDelay() {}

  /** The delay the headers ask for, measured from {@code now}; empty when none is valid. */
  static Optional<Duration> from(HttpHeaders headers, Instant now) {
    Optional<Duration> millis =
        headers.firstValue(RETRY_AFTER_MS).flatMap(ServerDelay::parseMillis);
    if (millis.isPresent()) {
      return millis;
    }
    return headers.firstValue(RETRY_AFTER).flatMap(value -> parseRetryAfter(value, now));
  }

  /** A {@code Retry-After} value: delta-seconds or an HTTP-date. */
  static Optional<Duration> parseRetryAfter(String value, Instant now) {
    String trimmed = value.trim();
    if (DELTA_SECONDS.matcher(trimmed).matches()) {
      // 12 digits is over 30,000 years: saturate instead of overflowing.
      return Optional.of(
          trimmed.length() > 12 ? SATURATED : min(Duration.ofSeconds(Long.parseLong(trimmed))));
    }
    for (DateTimeFormatter format : HTTP_DATES) {
      try {
        Instant date = ZonedDateTime.parse(trimmed, format).toInstant();
        Duration delay = Duration.between(now, date);
        return Optional.of(delay.isNegative() ? Duration.ZERO : min(delay));
      } catch (DateTimeParseException e) {
        // try the next form
      }
    }
    return Optional.empty();
  }

  /** A {@code Retry-After-Ms} value: non-negative milliseconds, possibly fractional. */
  static Optional<Duration> parseMillis(String value) {
    String trimmed = value.trim();
    if (!MILLISECONDS.matcher(trimmed).matches()) {
      return Optional.empty();
    }
    BigDecimal millis = new BigDecimal(trimmed);
    if (millis.compareTo(SATURATED_MILLIS) >= 0) {
      return Optional.of(SATURATED);
    }
    return Optional.of(Duration.ofNanos(millis.movePointRight(6).longValue()));
  }

  private static Duration min(Duration delay) {
    return delay.compareTo(SATURATED) > 0 ? SATURATED : delay;
  }
}
