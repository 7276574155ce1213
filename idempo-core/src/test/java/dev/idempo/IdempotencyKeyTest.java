package dev.idempo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdempotencyKeyTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a",
        "8e03978e-40d5-43e8-bc93-6894a57f9324",
        "!~",
        "key_with.many-chars:and/slashes"
      })
  void acceptsVisibleAscii(String value) {
    assertEquals(value, IdempotencyKey.of(value).value());
  }

  @Test
  void acceptsExactly255CharactersAndRejects256() {
    assertEquals(255, IdempotencyKey.of("k".repeat(255)).value().length());

    IllegalArgumentException tooLong =
        assertThrows(IllegalArgumentException.class, () -> IdempotencyKey.of("k".repeat(256)));
    assertTrue(tooLong.getMessage().contains("255"), tooLong.getMessage());
    assertTrue(tooLong.getMessage().contains("256"), tooLong.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"with space", "tab\t", "new\nline", "café", "\u007f", "nul\u0000"})
  void rejectsCharactersOutsideVisibleAscii(String value) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> IdempotencyKey.of(value));
    assertTrue(e.getMessage().contains("visible ASCII"), e.getMessage());
    assertTrue(e.getMessage().contains("index"), e.getMessage());
  }

  @Test
  void rejectsNullAndEmpty() {
    assertTrue(
        assertThrows(NullPointerException.class, () -> IdempotencyKey.of(null))
            .getMessage()
            .contains("idempotency key"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> IdempotencyKey.of(""))
            .getMessage()
            .contains("empty"));
  }

  @Test
  void equalityIsByValue() {
    IdempotencyKey first = IdempotencyKey.of("abc");
    IdempotencyKey second = IdempotencyKey.of("abc");
    assertEquals(first, second);
    assertEquals(first.hashCode(), second.hashCode());
    assertNotEquals(IdempotencyKey.of("abc"), IdempotencyKey.of("abd"));
  }

  @Test
  void derivationIsDeterministicAndAValidKey() {
    IdempotencyKey first = IdempotencyKey.derive("checkout", "cart-42");
    IdempotencyKey again = IdempotencyKey.derive("checkout", "cart-42");

    assertEquals(first, again);
    assertEquals(first, IdempotencyKey.of(first.value()), "a derived key is itself a valid key");
    assertTrue(first.value().length() <= IdempotencyKey.MAX_LENGTH);
  }

  @Test
  void derivationSeparatesNamespaceFromId() {
    assertNotEquals(IdempotencyKey.derive("ab", "c"), IdempotencyKey.derive("a", "bc"));
    assertNotEquals(IdempotencyKey.derive("checkout", "1"), IdempotencyKey.derive("refund", "1"));
  }

  @Test
  void derivedKeysDoNotCollideOverManyIds() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    Set<IdempotencyKey> keys = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      keys.add(IdempotencyKey.derive("job", i + ":" + random.nextInt()));
    }
    assertTrue(keys.size() >= 9_990, "seed " + seed + ": distinct ids give distinct keys");
  }

  @Test
  void derivationRejectsBadParts() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> IdempotencyKey.derive("", "1"))
            .getMessage()
            .contains("namespace"));
    assertTrue(
        assertThrows(NullPointerException.class, () -> IdempotencyKey.derive("job", null))
            .getMessage()
            .contains("id"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> IdempotencyKey.derive("job", "x".repeat(4097)))
            .getMessage()
            .contains("4096"));
  }
}
