package dev.idempo.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Rewrites an RFC 8259 JSON text into one canonical form, so two texts with the same value have the
 * same bytes and two texts with different values do not:
 *
 * <ul>
 *   <li>no whitespace outside strings;
 *   <li>object members sorted by name (UTF-16 code units, as RFC 8785); members with equal names
 *       keep their order, so {@code {"a":1,"a":2}} and {@code {"a":2,"a":1}} stay different; array
 *       order is kept;
 *   <li>strings decoded, then written with {@code \"}, {@code \\} and {@code \}{@code uXXXX}
 *       (lower-case hex) for every character below 0x20 or above 0x7E and no other escape, so
 *       {@code "\}{@code u0041"} and {@code "A"} are the same; the output is pure ASCII;
 *   <li>numbers rewritten exactly, never through a double: {@code 1}, {@code 1.0}, {@code 10e-1}
 *       are {@code 1}; {@code 100} is {@code 1e2}; {@code -0} is {@code 0}; digits are never lost,
 *       so {@code 12345678901234567890} and {@code 12345678901234567891} stay different.
 * </ul>
 *
 * <p>Input that is not well-formed JSON in UTF-8 (a byte-order mark, invalid UTF-8, trailing text,
 * an exponent of more than 18 digits, nesting deeper than {@value #MAX_DEPTH}) is answered with
 * {@code null}: the caller falls back to the raw bytes.
 *
 * <p>Stateless and thread-safe; one parse per call.
 */
final class CanonicalJson {
  /** The deepest nesting of arrays and objects accepted. */
  static final int MAX_DEPTH = 128;

  private final String text;
  private int position;

  private CanonicalJson(String text) {
    this.text = text;
  }

  /** The canonical form of {@code json} as ASCII bytes, or null if it is not well-formed JSON. */
  static byte[] canonicalize(byte[] json) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(json))
              .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    try {
      CanonicalJson parser = new CanonicalJson(text);
      parser.skipWhitespace();
      Object value = parser.value(0);
      parser.skipWhitespace();
      if (parser.position != text.length()) {
        return null;
      }
      StringBuilder out = new StringBuilder(json.length);
      write(value, out);
      return out.toString().getBytes(StandardCharsets.US_ASCII);
    } catch (Malformed e) {
      return null;
    }
  }

  /** A canonical string, for problem+json and tests: quotes and escapes as described above. */
  static void writeString(CharSequence value, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7E) {
        out.append("\\u");
        String hex = Integer.toHexString(c);
        for (int pad = hex.length(); pad < 4; pad++) {
          out.append('0');
        }
        out.append(hex);
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }

  // The parse tree. Members are sorted when written.

  /** A string, number or literal, already in canonical form. */
  private record Scalar(String canonical) {}

  private record Member(String name, Object value) {}

  private record JsonObject(List<Member> members) {}

  private record JsonArray(List<Object> elements) {}

  private static void write(Object value, StringBuilder out) {
    if (value instanceof Scalar scalar) {
      out.append(scalar.canonical());
    } else if (value instanceof JsonObject object) {
      List<Member> members = object.members();
      members.sort(Comparator.comparing(Member::name)); // stable: equal names keep their order
      out.append('{');
      for (int i = 0; i < members.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        writeString(members.get(i).name(), out);
        out.append(':');
        write(members.get(i).value(), out);
      }
      out.append('}');
    } else {
      List<Object> elements = ((JsonArray) value).elements();
      out.append('[');
      for (int i = 0; i < elements.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(elements.get(i), out);
      }
      out.append(']');
    }
  }

  private Object value(int depth) {
    if (position >= text.length()) {
      throw new Malformed();
    }
    char c = text.charAt(position);
    switch (c) {
      case '{' -> {
        return object(depth + 1);
      }
      case '[' -> {
        return array(depth + 1);
      }
      case '"' -> {
        StringBuilder out = new StringBuilder();
        writeString(string(), out);
        return new Scalar(out.toString());
      }
      case 't' -> {
        return literal("true");
      }
      case 'f' -> {
        return literal("false");
      }
      case 'n' -> {
        return literal("null");
      }
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          return new Scalar(number());
        }
        throw new Malformed();
      }
    }
  }

  private JsonObject object(int depth) {
    checkDepth(depth);
    position++; // {
    JsonObject object = new JsonObject(new ArrayList<>());
    skipWhitespace();
    if (peek() == '}') {
      position++;
      return object;
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw new Malformed();
      }
      String name = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      object.members().add(new Member(name, value(depth)));
      skipWhitespace();
      char next = next();
      if (next == '}') {
        return object;
      }
      if (next != ',') {
        throw new Malformed();
      }
    }
  }

  private JsonArray array(int depth) {
    checkDepth(depth);
    position++; // [
    JsonArray array = new JsonArray(new ArrayList<>());
    skipWhitespace();
    if (peek() == ']') {
      position++;
      return array;
    }
    while (true) {
      skipWhitespace();
      array.elements().add(value(depth));
      skipWhitespace();
      char next = next();
      if (next == ']') {
        return array;
      }
      if (next != ',') {
        throw new Malformed();
      }
    }
  }

  /** Reads a string starting at the opening quote and answers its decoded value. */
  private String string() {
    position++; // "
    StringBuilder value = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        return value.toString();
      }
      if (c < 0x20) {
        throw new Malformed();
      }
      if (c != '\\') {
        value.append(c);
        continue;
      }
      char escape = next();
      switch (escape) {
        case '"', '\\', '/' -> value.append(escape);
        case 'b' -> value.append('\b');
        case 'f' -> value.append('\f');
        case 'n' -> value.append('\n');
        case 'r' -> value.append('\r');
        case 't' -> value.append('\t');
        case 'u' -> {
          if (position + 4 > text.length()) {
            throw new Malformed();
          }
          int code = 0;
          for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(position + i), 16);
            if (digit < 0) {
              throw new Malformed();
            }
            code = code * 16 + digit;
          }
          position += 4;
          value.append((char) code);
        }
        default -> throw new Malformed();
      }
    }
  }

  /**
   * Reads a number and answers it exactly as digits × 10^exponent, with no leading or trailing
   * zeros in the digits: {@code [-]digits[e exponent]}.
   */
  private String number() {
    boolean negative = false;
    if (peek() == '-') {
      negative = true;
      position++;
    }
    int integerStart = position;
    if (peek() == '0') {
      position++;
    } else if (isDigit(peek())) {
      while (isDigit(peek())) {
        position++;
      }
    } else {
      throw new Malformed();
    }
    String integer = text.substring(integerStart, position);
    String fraction = "";
    if (peek() == '.') {
      position++;
      int fractionStart = position;
      while (isDigit(peek())) {
        position++;
      }
      if (position == fractionStart) {
        throw new Malformed();
      }
      fraction = text.substring(fractionStart, position);
    }
    long exponent = 0;
    if (peek() == 'e' || peek() == 'E') {
      position++;
      boolean negativeExponent = false;
      if (peek() == '+' || peek() == '-') {
        negativeExponent = peek() == '-';
        position++;
      }
      int exponentStart = position;
      while (isDigit(peek())) {
        position++;
      }
      if (position == exponentStart) {
        throw new Malformed();
      }
      String digits = stripLeadingZeros(text.substring(exponentStart, position));
      if (digits.length() > 18) {
        throw new Malformed(); // not representable exactly here; the caller uses the raw bytes
      }
      exponent = digits.isEmpty() ? 0 : Long.parseLong(digits);
      if (negativeExponent) {
        exponent = -exponent;
      }
    }
    String digits = stripLeadingZeros(integer + fraction);
    if (digits.isEmpty()) {
      return "0";
    }
    exponent -= fraction.length();
    int end = digits.length();
    while (digits.charAt(end - 1) == '0') {
      end--;
    }
    exponent += digits.length() - end;
    StringBuilder out = new StringBuilder(end + 22);
    if (negative) {
      out.append('-');
    }
    out.append(digits, 0, end);
    if (exponent != 0) {
      out.append('e').append(exponent);
    }
    return out.toString();
  }

  private static String stripLeadingZeros(String digits) {
    int start = 0;
    while (start < digits.length() && digits.charAt(start) == '0') {
      start++;
    }
    return digits.substring(start);
  }

  private Scalar literal(String literal) {
    if (!text.startsWith(literal, position)) {
      throw new Malformed();
    }
    position += literal.length();
    return new Scalar(literal);
  }

  private void checkDepth(int depth) {
    if (depth > MAX_DEPTH) {
      throw new Malformed();
    }
  }

  private void skipWhitespace() {
    while (position < text.length()) {
      char c = text.charAt(position);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      position++;
    }
  }

  private void expect(char expected) {
    if (next() != expected) {
      throw new Malformed();
    }
  }

  private char next() {
    if (position >= text.length()) {
      throw new Malformed();
    }
    return text.charAt(position++);
  }

  /** The next character, or 0 at the end (0 is never valid where peek is used). */
  private char peek() {
    return position < text.length() ? text.charAt(position) : 0;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** Not well-formed JSON; carries no stack trace, it is an answer, not a bug. */
  private static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Malformed() {
      super(null, null, false, false);
    }
  }
}
