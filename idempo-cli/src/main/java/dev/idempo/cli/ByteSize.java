package dev.idempo.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes byte sizes as the command line takes them: a whole number and an optional unit,
 * {@code B}, {@code KB}/{@code MB}/{@code GB} (powers of 1000) or {@code KiB}/{@code MiB}/{@code
 * GiB} (powers of 1024), e.g. {@code 10MiB}, {@code 512KiB}, {@code 1MB}, {@code 4096}. Stateless.
 */
final class ByteSize {
  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*([a-zA-Z]*)");

  private ByteSize() {}

  /**
   * The number of bytes {@code text} names.
   *
   * @throws IllegalArgumentException naming the text if it is not a size
   */
  static long parse(String text) {
    Matcher matcher = SIZE.matcher(text == null ? "" : text.trim());
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          "a size is a whole number and a unit (B, KB, KiB, MB, MiB, GB, GiB), e.g. 10MiB; was '"
              + text
              + "'");
    }
    long amount = Long.parseLong(matcher.group(1));
    long unit =
        switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
          case "", "b" -> 1;
          case "kb" -> 1000;
          case "kib" -> 1L << 10;
          case "mb" -> 1000_000;
          case "mib" -> 1L << 20;
          case "gb" -> 1000_000_000;
          case "gib" -> 1L << 30;
          default ->
              throw new IllegalArgumentException(
                  "unknown size unit '"
                      + matcher.group(2)
                      + "' in '"
                      + text
                      + "'; use B, KB, KiB, MB, MiB, GB or GiB");
        };
    try {
      return Math.multiplyExact(amount, unit);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("size '" + text + "' is too large", e);
    }
  }

  /** {@code bytes} in the largest binary unit that divides it, e.g. {@code 10MiB}. */
  static String format(long bytes) {
    if (bytes != 0 && bytes % (1L << 30) == 0) {
      return bytes / (1L << 30) + "GiB";
    }
    if (bytes != 0 && bytes % (1L << 20) == 0) {
      return bytes / (1L << 20) + "MiB";
    }
    if (bytes != 0 && bytes % (1L << 10) == 0) {
      return bytes / (1L << 10) + "KiB";
    }
    return bytes + "B";
  }
}
