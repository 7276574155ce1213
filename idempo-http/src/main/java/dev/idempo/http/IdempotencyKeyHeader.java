package dev.idempo.http;

import dev.idempo.IdempotencyKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads the {@code Idempotency-Key} request header (draft-ietf-httpapi-idempotency-key-header,
 * Stripe-compatible). The header holds one key, either as an RFC 8941 sf-string ({@code "abc"},
 * with the escapes {@code \"} and {@code \\}) or as a bare value ({@code abc}); both forms name the
 * same key. Leading and trailing spaces and tabs are ignored.
 *
 * <p>Refused with {@link InvalidIdempotencyKeyException}: the header sent more than once (two
 * header lines, or one line holding a comma-separated list), an empty key, a key longer than
 * {@value IdempotencyKey#MAX_LENGTH} characters, a character outside visible ASCII ({@code
 * 0x21}–{@code 0x7E}, so a space inside a quoted key is refused too), an unterminated quote, an
 * escape other than {@code \"} or {@code \\}, sf-string parameters ({@code "abc";p=1}) and, in a
 * bare key, a double quote.
 *
 * <p>Stateless and thread-safe.
 */
public final class IdempotencyKeyHeader {
  /** The request header's name. */
  public static final String NAME = "Idempotency-Key";

  private IdempotencyKeyHeader() {}

  /**
   * Reads the key from every value the request carried for the header.
   *
   * @param values the header's values, one per header line, in order; empty when absent
   * @return the key, or empty when the request carries no {@code Idempotency-Key} header
   * @throws InvalidIdempotencyKeyException if the header holds anything but one valid key
   * @throws NullPointerException if {@code values} or one of them is null
   */
  public static Optional<IdempotencyKey> parse(List<String> values) {
    Objects.requireNonNull(values, "values must not be null");
    if (values.isEmpty()) {
      return Optional.empty();
    }
    if (values.size() > 1) {
      throw new InvalidIdempotencyKeyException(
          NAME + " header was sent " + values.size() + " times; send it exactly once");
    }
    return Optional.of(parse(values.get(0)));
  }

  /**
   * Reads the key from one header value.
   *
   * @throws InvalidIdempotencyKeyException if the value is not one valid key
   * @throws NullPointerException if {@code value} is null
   */
  public static IdempotencyKey parse(String value) {
    Objects.requireNonNull(value, "value must not be null");
    int start = 0;
    int end = value.length();
    while (start < end && isOptionalWhitespace(value.charAt(start))) {
      start++;
    }
    while (end > start && isOptionalWhitespace(value.charAt(end - 1))) {
      end--;
    }
    if (start == end) {
      throw new InvalidIdempotencyKeyException(NAME + " header is empty");
    }
    String key = value.charAt(start) == '"' ? quoted(value, start, end) : bare(value, start, end);
    if (key.isEmpty()) {
      throw new InvalidIdempotencyKeyException(NAME + " header holds an empty key");
    }
    if (key.length() > IdempotencyKey.MAX_LENGTH) {
      throw new InvalidIdempotencyKeyException(
          NAME
              + " must be at most "
              + IdempotencyKey.MAX_LENGTH
              + " characters, was "
              + key.length());
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!isVisibleAscii(c)) {
        throw new InvalidIdempotencyKeyException(
            NAME
                + " must be visible ASCII (0x21-0x7E); character "
                + (i + 1)
                + " of the key is "
                + hex(c));
      }
    }
    return IdempotencyKey.of(key);
  }

  private static String quoted(String value, int start, int end) {
    StringBuilder key = new StringBuilder(end - start);
    int i = start + 1;
    while (true) {
      if (i >= end) {
        throw new InvalidIdempotencyKeyException(
            NAME + " header has an unterminated quoted string");
      }
      char c = value.charAt(i);
      if (c == '\\') {
        if (i + 1 >= end || (value.charAt(i + 1) != '"' && value.charAt(i + 1) != '\\')) {
          throw new InvalidIdempotencyKeyException(
              NAME
                  + " header has an invalid escape at index "
                  + i
                  + "; only \\\" and \\\\ are allowed");
        }
        key.append(value.charAt(i + 1));
        i += 2;
      } else if (c == '"') {
        i++;
        break;
      } else if (c < 0x20 || c > 0x7E) {
        throw new InvalidIdempotencyKeyException(
            NAME + " must be visible ASCII (0x21-0x7E); character at index " + i + " is " + hex(c));
      } else {
        key.append(c);
        i++;
      }
    }
    if (i < end) {
      char next = value.charAt(i);
      String why =
          next == ','
              ? "holds a list; send exactly one key"
              : next == ';'
                  ? "has parameters after the key, which are not accepted"
                  : "has characters after the closing quote at index " + i;
      throw new InvalidIdempotencyKeyException(NAME + " header " + why);
    }
    return key.toString();
  }

  private static String bare(String value, int start, int end) {
    for (int i = start; i < end; i++) {
      char c = value.charAt(i);
      if (c == ',') {
        throw new InvalidIdempotencyKeyException(
            NAME + " header holds a list; send exactly one key");
      }
      if (c == '"') {
        throw new InvalidIdempotencyKeyException(
            NAME + " header has a double quote at index " + i + " inside an unquoted key");
      }
    }
    return value.substring(start, end);
  }

  private static boolean isOptionalWhitespace(char c) {
    return c == ' ' || c == '\t';
  }

  private static boolean isVisibleAscii(char c) {
    return c >= 0x21 && c <= 0x7E;
  }

  private static String hex(char c) {
    return String.format("0x%02X", (int) c);
  }
}
