package dev.idempo.gateway;

import java.time.Duration;

/**
 * Writes durations for messages and logs as the command line takes them: a whole number and a unit,
 * {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}, e.g. {@code 250ms}, {@code 30s}, {@code
 * 24h}. Stateless.
 */
final class DurationText {
  private DurationText() {}

  /** {@code duration} in the largest unit that divides it, e.g. {@code 30s}, {@code 24h}. */
  static String format(Duration duration) {
    long millis = duration.toMillis();
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L};
    String[] names = {"d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (millis != 0 && millis % units[i] == 0) {
        return millis / units[i] + names[i];
      }
    }
    return millis + "ms";
  }
}
