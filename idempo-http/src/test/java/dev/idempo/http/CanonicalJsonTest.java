package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalJsonTest {

  private static String canonical(String json) {
    byte[] out = CanonicalJson.canonicalize(json.getBytes(StandardCharsets.UTF_8));
    return out == null ? null : new String(out, StandardCharsets.US_ASCII);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        " { \"b\" : 1 , \"a\" : [ 3 , 2 ] } |{\"a\":[3,2],\"b\":1}",
        "{\"a\":{\"d\":null,\"c\":true}}|{\"a\":{\"c\":true,\"d\":null}}",
        "[]|[]",
        "{}|{}",
        "\"\\u0041\\/\"|\"A/\"",
        "\"caf\u00e9 \\n\"|\"caf\\u00e9 \\u000a\"",
        "\"\\ud83d\\ude00\"|\"\\ud83d\\ude00\"",
        "\"\\uD800\"|\"\\ud800\"",
        "1.0|1",
        "10e-1|1",
        "0.1E1|1",
        "100|1e2",
        "-0|0",
        "-0.0e+5|0",
        "0.001|1e-3",
        "-12.50|-125e-1",
        "1e400|1e400",
        "12345678901234567890|1234567890123456789e1",
        "12345678901234567891|12345678901234567891",
        "{\"a\":1,\"a\":2}|{\"a\":1,\"a\":2}",
        "{\"b\":0,\"a\":2,\"a\":1}|{\"a\":2,\"a\":1,\"b\":0}",
        "{\"\u00e9\":1,\"z\":2}|{\"z\":2,\"\\u00e9\":1}",
      })
  void rewritesToTheCanonicalForm(String json, String expected) {
    assertEquals(expected, canonical(json));
  }

  @ParameterizedTest(name = "[{index}] <{0}> is not JSON")
  @ValueSource(
      strings = {
        "",
        " ",
        "{",
        "{\"a\":1,}",
        "[1,]",
        "[1 2]",
        "{\"a\" 1}",
        "{a:1}",
        "01",
        "1.",
        ".5",
        "-",
        "1e",
        "+1",
        "tru",
        "nul",
        "\"abc",
        "\"a\u0001b\"",
        "\"\\x\"",
        "\"\\u12g4\"",
        "\"\\u12\"",
        "[1] [2]",
        "NaN",
        "1e1234567890123456789",
        "\ufeff{}",
      })
  void answersNullForWhatIsNotJson(String text) {
    assertNull(canonical(text));
  }

  @Test
  void refusesInvalidUtf8() {
    assertNull(CanonicalJson.canonicalize(new byte[] {'"', (byte) 0xC3, '"'}));
    assertNull(
        CanonicalJson.canonicalize(new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}));
  }

  @Test
  void limitsNesting() {
    String deep = "[".repeat(CanonicalJson.MAX_DEPTH) + "]".repeat(CanonicalJson.MAX_DEPTH);
    assertEquals(deep, canonical(deep));
    String deeper = "[" + deep + "]";
    assertNull(canonical(deeper));
  }

  // Property tests: a random JSON value, written in two random but equivalent ways, has one
  // canonical form; two different values have different ones.

  @Test
  void equivalentTextsOfOneValueHaveOneCanonicalForm() {
    long seed = seed();
    Random random = new Random(seed);
    for (int i = 0; i < 300; i++) {
      Object value = randomValue(random, 0);
      String first = write(value, random);
      String second = write(value, random);
      String message = "seed " + seed + ", value " + i + ": " + first + " vs " + second;
      assertNotNull(canonical(first), message);
      assertEquals(canonical(first), canonical(second), message);
      assertEquals(
          canonical(first),
          canonical(canonical(first)),
          "canonical form is a fixed point; " + message);
    }
  }

  @Test
  void differentValuesHaveDifferentCanonicalForms() {
    long seed = seed();
    Random random = new Random(seed);
    int compared = 0;
    for (int i = 0; i < 300; i++) {
      Object a = randomValue(random, 0);
      Object b = i % 3 == 0 ? mutate(a, random) : randomValue(random, 0);
      String message = "seed " + seed + ", pair " + i + ": " + a + " / " + b;
      if (sameValue(a, b)) {
        assertEquals(canonical(write(a, random)), canonical(write(b, random)), message);
      } else {
        compared++;
        assertNotEquals(canonical(write(a, random)), canonical(write(b, random)), message);
      }
    }
    assertEquals(true, compared > 200, "seed " + seed + ": too few distinct pairs, " + compared);
  }

  private static long seed() {
    long seed = Long.getLong("idempo.seed", new Random().nextLong());
    System.out.println(
        "CanonicalJsonTest seed " + seed + " (rerun with -Didempo.seed=" + seed + ")");
    return seed;
  }

  /** Values: null, Boolean, BigDecimal, String, List, or Map (unique names, insertion order). */
  private static Object randomValue(Random random, int depth) {
    int kind = random.nextInt(depth > 3 ? 4 : 6);
    switch (kind) {
      case 0 -> {
        return random.nextInt(3) == 0 ? null : random.nextBoolean();
      }
      case 1 -> {
        return randomNumber(random);
      }
      case 2, 3 -> {
        return randomString(random);
      }
      case 4 -> {
        List<Object> list = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
          list.add(randomValue(random, depth + 1));
        }
        return list;
      }
      default -> {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = random.nextInt(4); i > 0; i--) {
          map.put(randomString(random), randomValue(random, depth + 1));
        }
        return map;
      }
    }
  }

  private static BigDecimal randomNumber(Random random) {
    long unscaled = random.nextInt(5) == 0 ? random.nextLong() : random.nextInt(2000) - 1000;
    return BigDecimal.valueOf(unscaled, random.nextInt(9) - 4);
  }

  private static String randomString(Random random) {
    String alphabet = "ab\"\\/ \n\u00e9\u20ac\ud83d\ude00\u0001";
    StringBuilder s = new StringBuilder();
    for (int i = random.nextInt(5); i > 0; i--) {
      int at = random.nextInt(alphabet.length());
      char c = alphabet.charAt(at);
      if (Character.isHighSurrogate(c)) {
        s.append(c).append(alphabet.charAt(at + 1));
      } else if (!Character.isLowSurrogate(c)) {
        s.append(c);
      }
    }
    return s.toString();
  }

  /** A value that differs from {@code value} in one place. */
  @SuppressWarnings("unchecked")
  private static Object mutate(Object value, Random random) {
    if (value instanceof List && !((List<Object>) value).isEmpty()) {
      List<Object> copy = new ArrayList<>((List<Object>) value);
      int at = random.nextInt(copy.size());
      if (copy.size() > 1 && random.nextBoolean()) {
        Collections.swap(copy, at, (at + 1) % copy.size());
      } else {
        copy.set(at, mutate(copy.get(at), random));
      }
      return copy;
    }
    if (value instanceof Map && !((Map<String, Object>) value).isEmpty()) {
      Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) value);
      String name = copy.keySet().iterator().next();
      copy.put(name, mutate(copy.get(name), random));
      return copy;
    }
    if (value instanceof BigDecimal bigDecimal) {
      return bigDecimal.add(BigDecimal.ONE.movePointLeft(random.nextInt(20)));
    }
    if (value instanceof String) {
      return value + "x";
    }
    return value == null ? Boolean.FALSE : null;
  }

  @SuppressWarnings("unchecked")
  private static boolean sameValue(Object a, Object b) {
    if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
      return x.compareTo(y) == 0;
    }
    if (a instanceof List && b instanceof List) {
      List<Object> x = (List<Object>) a;
      List<Object> y = (List<Object>) b;
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!sameValue(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map && b instanceof Map) {
      Map<String, Object> x = (Map<String, Object>) a;
      Map<String, Object> y = (Map<String, Object>) b;
      if (!x.keySet().equals(y.keySet())) {
        return false;
      }
      for (String name : x.keySet()) {
        if (!sameValue(x.get(name), y.get(name))) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(a, b);
  }

  /** Writes {@code value} as JSON with random whitespace, member order, escapes and number form. */
  @SuppressWarnings("unchecked")
  private static String write(Object value, Random random) {
    StringBuilder out = new StringBuilder();
    space(out, random);
    if (value == null || value instanceof Boolean) {
      out.append(value);
    } else if (value instanceof BigDecimal bigDecimal) {
      out.append(writeNumber(bigDecimal, random));
    } else if (value instanceof String string) {
      writeString(string, out, random);
    } else if (value instanceof List) {
      out.append('[');
      List<Object> list = (List<Object>) value;
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(write(list.get(i), random));
      }
      space(out, random);
      out.append(']');
    } else {
      List<Map.Entry<String, Object>> members =
          new ArrayList<>(((Map<String, Object>) value).entrySet());
      Collections.shuffle(members, random);
      out.append('{');
      for (int i = 0; i < members.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        space(out, random);
        writeString(members.get(i).getKey(), out, random);
        space(out, random);
        out.append(':');
        out.append(write(members.get(i).getValue(), random));
      }
      space(out, random);
      out.append('}');
    }
    space(out, random);
    return out.toString();
  }

  private static void space(StringBuilder out, Random random) {
    for (int i = random.nextInt(3); i > 0; i--) {
      out.append(" \t\n\r".charAt(random.nextInt(4)));
    }
  }

  private static String writeNumber(BigDecimal number, Random random) {
    switch (random.nextInt(4)) {
      case 0 -> {
        return number.toPlainString();
      }
      case 1 -> {
        return number.toString().replace("E", random.nextBoolean() ? "e" : "E");
      }
      case 2 -> {
        // Extra trailing zeros in the fraction.
        String plain = number.toPlainString();
        return plain.contains(".") ? plain + "00" : plain + ".000";
      }
      default -> {
        // unscaled digits with an explicit exponent: 1234e-2
        return number.unscaledValue() + "e" + -number.scale();
      }
    }
  }

  private static void writeString(String value, StringBuilder out, Random random) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)) {
        // A pair is escaped whole or not at all: half of it raw would not survive UTF-8.
        if (random.nextBoolean()) {
          out.append(String.format("\\u%04x\\u%04X", (int) c, (int) value.charAt(i + 1)));
        } else {
          out.append(c).append(value.charAt(i + 1));
        }
        i++;
        continue;
      }
      boolean mustEscape = c == '"' || c == '\\' || c < 0x20;
      if (mustEscape || random.nextInt(4) == 0) {
        switch (random.nextInt(2)) {
          case 0 ->
              out.append(String.format(random.nextBoolean() ? "\\u%04x" : "\\u%04X", (int) c));
          default -> {
            String shortForm =
                c == '"'
                    ? "\\\""
                    : c == '\\' ? "\\\\" : c == '/' ? "\\/" : c == '\n' ? "\\n" : null;
            out.append(shortForm != null ? shortForm : String.format("\\u%04x", (int) c));
          }
        }
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }
}
