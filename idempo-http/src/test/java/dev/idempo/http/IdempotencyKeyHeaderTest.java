package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.IdempotencyKey;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IdempotencyKeyHeaderTest {

  @ParameterizedTest(name = "[{index}] <{0}> is key <{1}>")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      value = {
        "abc|abc",
        "'\"abc\"'|abc",
        "'  abc\t'|abc",
        "' \"abc\" '|abc",
        "'\"a\\\"b\"'|'a\"b'",
        "'\"a\\\\b\"'|'a\\b'",
        "'\"a,b\"'|'a,b'",
        "'\"a;b\"'|'a;b'",
        "3f2a6c1e-8d4b-4c2a-9e1f-0a7b5c3d2e10|3f2a6c1e-8d4b-4c2a-9e1f-0a7b5c3d2e10",
        "'a\\b'|'a\\b'",
      })
  void readsQuotedAndBareKeys(String header, String key) {
    assertEquals(IdempotencyKey.of(key), IdempotencyKeyHeader.parse(header));
  }

  @Test
  void everyVisibleAsciiCharacterButQuoteAndCommaIsABareKey() {
    StringBuilder all = new StringBuilder();
    for (char c = 0x21; c <= 0x7E; c++) {
      if (c != '"' && c != ',') {
        all.append(c);
      }
    }
    assertEquals(all.toString(), IdempotencyKeyHeader.parse(all.toString()).value());
  }

  @Test
  void quotedAndBareNameTheSameKey() {
    assertEquals(IdempotencyKeyHeader.parse("order-7"), IdempotencyKeyHeader.parse("\"order-7\""));
  }

  @ParameterizedTest(name = "[{index}] <{0}> is refused")
  @ValueSource(
      strings = {
        "",
        "   ",
        "\"\"",
        "\"abc",
        "\"abc\\\"",
        "\"a\\nb\"",
        "\"a b\"",
        "a b",
        "\"abc\"x",
        "\"abc\";p=1",
        "\"a\", \"b\"",
        "a,b",
        "a, b",
        "ab\"c",
        "caf\u00e9",
        "\"caf\u00e9\"",
        "a\u0000b",
        "\"a\u007fb\"",
      })
  void refusesMalformedKeys(String header) {
    InvalidIdempotencyKeyException e =
        assertThrows(
            InvalidIdempotencyKeyException.class, () -> IdempotencyKeyHeader.parse(header));
    assertTrue(e.getMessage().startsWith("Idempotency-Key"), e.getMessage());
  }

  @Test
  void refusesKeysLongerThan255CharactersAfterUnescaping() {
    String max = "k".repeat(255);
    assertEquals(max, IdempotencyKeyHeader.parse(max).value());
    assertEquals(max, IdempotencyKeyHeader.parse("\"" + max + "\"").value());

    InvalidIdempotencyKeyException e =
        assertThrows(
            InvalidIdempotencyKeyException.class, () -> IdempotencyKeyHeader.parse(max + "k"));
    assertEquals("Idempotency-Key must be at most 255 characters, was 256", e.getMessage());
    // 254 escaped backslashes are 508 characters on the wire but a 254-character key.
    assertEquals(
        254, IdempotencyKeyHeader.parse("\"" + "\\\\".repeat(254) + "\"").value().length());
  }

  @Test
  void twoHeaderLinesAreRefusedAndNoneIsNoKey() {
    assertEquals(Optional.empty(), IdempotencyKeyHeader.parse(List.of()));
    assertEquals(Optional.of(IdempotencyKey.of("a")), IdempotencyKeyHeader.parse(List.of("a")));

    InvalidIdempotencyKeyException e =
        assertThrows(
            InvalidIdempotencyKeyException.class,
            () -> IdempotencyKeyHeader.parse(List.of("a", "a")));
    assertEquals("Idempotency-Key header was sent 2 times; send it exactly once", e.getMessage());
  }

  @Test
  void messagesSayWhatIsWrong() {
    assertEquals(
        "Idempotency-Key header holds a list; send exactly one key",
        assertThrows(InvalidIdempotencyKeyException.class, () -> IdempotencyKeyHeader.parse("a,b"))
            .getMessage());
    assertEquals(
        "Idempotency-Key must be visible ASCII (0x21-0x7E); character 4 of the key is 0xE9",
        assertThrows(
                InvalidIdempotencyKeyException.class, () -> IdempotencyKeyHeader.parse("caf\u00e9"))
            .getMessage());
    assertEquals(
        "Idempotency-Key header has an unterminated quoted string",
        assertThrows(
                InvalidIdempotencyKeyException.class, () -> IdempotencyKeyHeader.parse("\"abc"))
            .getMessage());
  }
}
