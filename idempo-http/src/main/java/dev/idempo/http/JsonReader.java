package dev.idempo.http;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 reader for the small JSON documents of JOSE (JWT headers and claims, JSON Web
 * Key Sets): objects become {@code Map<String, Object>} (a name given twice is refused, as RFC 7515
 * allows, so no two readers can disagree on a claim), arrays {@code List<Object>}, strings {@code
 * String}, numbers {@code BigDecimal}, {@code true}/{@code false} {@code Boolean}, {@code null}
 * {@code null}. Anything else, trailing text or nesting deeper than 32 is refused with {@link
 * IllegalArgumentException}. Stateless and thread-safe; one parse per call.
 */
final class JsonReader {
  private static final int MAX_DEPTH = 32;

  private final String text;
  private int position;

  private JsonReader(String text) {
    this.text = text;
  }

  /**
   * The object {@code text} holds.
   *
   * @throws IllegalArgumentException if {@code text} is not one well-formed JSON object
   */
  static Map<String, Object> object(String text) {
    JsonReader reader = new JsonReader(text);
    reader.skipWhitespace();
    if (reader.peek() != '{') {
      throw new IllegalArgumentException("not a JSON object");
    }
    Object value = reader.value(0);
    reader.skipWhitespace();
    if (reader.position != text.length()) {
      throw new IllegalArgumentException(
          "trailing text after the JSON object at " + reader.position);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> object = (Map<String, Object>) value;
    return object;
  }

  private Object value(int depth) {
    if (depth > MAX_DEPTH) {
      throw malformed("nested too deeply");
    }
    char c = peek();
    switch (c) {
      case '{' -> {
        return object(depth + 1);
      }
      case '[' -> {
        return array(depth + 1);
      }
      case '"' -> {
        return string();
      }
      case 't' -> {
        return literal("true", true);
      }
      case 'f' -> {
        return literal("false", false);
      }
      case 'n' -> {
        return literal("null", null);
      }
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw malformed("unexpected character");
      }
    }
  }

  private Map<String, Object> object(int depth) {
    position++; // {
    Map<String, Object> members = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      position++;
      return members;
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw malformed("expected a member name");
      }
      String name = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      if (members.containsKey(name)) {
        throw malformed("member \"" + name + "\" given twice");
      }
      members.put(name, value(depth));
      skipWhitespace();
      char next = next();
      if (next == '}') {
        return members;
      }
      if (next != ',') {
        throw malformed("expected , or }");
      }
    }
  }

  private List<Object> array(int depth) {
    position++; // [
    List<Object> elements = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      position++;
      return elements;
    }
    while (true) {
      skipWhitespace();
      elements.add(value(depth));
      skipWhitespace();
      char next = next();
      if (next == ']') {
        return elements;
      }
      if (next != ',') {
        throw malformed("expected , or ]");
      }
    }
  }

  private String string() {
    position++; // "
    StringBuilder value = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        return value.toString();
      }
      if (c < 0x20) {
        throw malformed("control character in a string");
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
            throw malformed("short \\u escape");
          }
          int code = 0;
          for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(position + i), 16);
            if (digit < 0) {
              throw malformed("bad \\u escape");
            }
            code = code * 16 + digit;
          }
          position += 4;
          value.append((char) code);
        }
        default -> throw malformed("bad escape");
      }
    }
  }

  private BigDecimal number() {
    int start = position;
    if (peek() == '-') {
      position++;
    }
    if (peek() == '0') {
      position++;
    } else if (isDigit(peek())) {
      while (isDigit(peek())) {
        position++;
      }
    } else {
      throw malformed("bad number");
    }
    if (peek() == '.') {
      position++;
      int fraction = position;
      while (isDigit(peek())) {
        position++;
      }
      if (position == fraction) {
        throw malformed("bad number");
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      position++;
      if (peek() == '+' || peek() == '-') {
        position++;
      }
      int exponent = position;
      while (isDigit(peek())) {
        position++;
      }
      if (position == exponent || position - exponent > 9) {
        throw malformed("bad exponent");
      }
    }
    return new BigDecimal(text.substring(start, position));
  }

  private Object literal(String literal, Object value) {
    if (!text.startsWith(literal, position)) {
      throw malformed("unexpected character");
    }
    position += literal.length();
    return value;
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
      throw malformed("expected " + expected);
    }
  }

  private char next() {
    if (position >= text.length()) {
      throw malformed("unexpected end");
    }
    return text.charAt(position++);
  }

  private char peek() {
    return position < text.length() ? text.charAt(position) : 0;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private IllegalArgumentException malformed(String why) {
    return new IllegalArgumentException("malformed JSON at " + position + ": " + why);
  }
}
