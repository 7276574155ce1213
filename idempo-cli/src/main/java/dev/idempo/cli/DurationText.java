package dev.idempo.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations as the command line takes them: a whole number and a unit, {@code ms}, {@code s},
 * {@code m}, {@code h} or {@code d}, e.g. {@code 250ms}, {@code 30s}, {@code 24h}; {@code 0} alone
 * is zero. Stateless.
 */
final class DurationText {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)?");

  private DurationText() {}

  /**
   * The duration {@code text} names.
   *
   * @throws IllegalArgumentException naming the text if it is not a duration
   */
  static Duration parse(String text) {
    Matcher matcher = DURATION.matcher(text == null ? "" : text.trim());
    if (!matcher.matches() || (matcher.group(2) == null && Long.parseLong(matcher.group(1)) != 0)) {
      throw new IllegalArgumentException(
          "a duration is a whole number and a unit (ms, s, m, h, d), e.g. 30s; was '" + text + "'");
    }
    long amount = Long.parseLong(matcher.group(1));
    String unit = matcher.group(2) == null ? "ms" : matcher.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }
}
