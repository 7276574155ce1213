package dev.idempo.webhooks;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads one top-level string member (Stripe's and PayPal's event {@code id}) from a JSON body,
 * without a JSON library. Strict: a body that is not one JSON object, or nests deeper than {@value
 * #MAX_DEPTH}, has no id. Only called after the signature was verified.
 */
final class JsonEventId {
  static final int MAX_DEPTH = 64;

  private final String text;
  private int position;

  private JsonEventId(String text) {
    this.text = text;
  }

  /** The string value of top-level member {@code name}, or empty if absent or not a string. */
  static Optional<String> read(byte[] body, String name) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString();
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
    try {
      return new JsonEventId(text).member(name);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      return Optional.empty();
    }
  }

  private Optional<String> member(String name) {
    skipWhitespace();
    expect('{');
    String found = null;
    skipWhitespace();
    if (peek() == '}') {
      position++;
    } else {
      while (true) {
        skipWhitespace();
        String key = string();
        skipWhitespace();
        expect(':');
        skipWhitespace();
        if (key.equals(name) && found == null && peek() == '"') {
          found = string();
        } else {
          skipValue(1);
        }
        skipWhitespace();
        char next = next();
        if (next == '}') {
          break;
        }
        if (next != ',') {
          throw new IllegalArgumentException("expected , or }");
        }
      }
    }
    skipWhitespace();
    if (position != text.length()) {
      throw new IllegalArgumentException("text after the object");
    }
    return Optional.ofNullable(found);
  }

  private void skipValue(int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("nested too deeply");
    }
    char c = peek();
    if (c == '"') {
      string();
    } else if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      position++;
      skipWhitespace();
      if (peek() == close) {
        position++;
        return;
      }
      while (true) {
        skipWhitespace();
        if (close == '}') {
          string();
          skipWhitespace();
          expect(':');
          skipWhitespace();
        }
        skipValue(depth + 1);
        skipWhitespace();
        char next = next();
        if (next == close) {
          return;
        }
        if (next != ',') {
          throw new IllegalArgumentException("expected , or " + close);
        }
      }
    } else {
      int start = position;
      while (position < text.length() && "+-.0123456789eEtrufalsn".indexOf(peek()) >= 0) {
        position++;
      }
      if (position == start) {
        throw new IllegalArgumentException("expected a value");
      }
    }
  }

  private String string() {
    expect('"');
    StringBuilder value = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        return value.toString();
      }
      if (c < 0x20) {
        throw new IllegalArgumentException("control character in a string");
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
          value.append((char) Integer.parseInt(text.substring(position, position + 4), 16));
          position += 4;
        }
        default -> throw new IllegalArgumentException("bad escape");
      }
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

  private void expect(char c) {
    if (next() != c) {
      throw new IllegalArgumentException("expected " + c);
    }
  }

  private char peek() {
    return text.charAt(position);
  }

  private char next() {
    return text.charAt(position++);
  }
}
