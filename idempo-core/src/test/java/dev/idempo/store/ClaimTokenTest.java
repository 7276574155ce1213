package dev.idempo.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Base64;
import org.junit.jupiter.api.Test;

/** A token held as two longs reads back byte for byte, as stores persist it. */
class ClaimTokenTest {
  @Test
  void bytesRoundTripExactly() {
    byte[] bytes = new byte[ClaimToken.LENGTH];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (0xF0 + i); // high bits set: sign extension would show
    }
    ClaimToken token = ClaimToken.of(bytes);

    assertArrayEquals(bytes, token.toBytes());
    assertEquals(token, ClaimToken.of(token.toBytes()));
    assertEquals(token.hashCode(), ClaimToken.of(bytes).hashCode());
    assertEquals(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), token.toString());
  }

  @Test
  void randomTokensDifferAndSurviveTheirBytes() {
    ClaimToken one = ClaimToken.random();
    ClaimToken two = ClaimToken.random();

    assertNotEquals(one, two);
    assertEquals(one, ClaimToken.of(one.toBytes()));
    assertEquals(22, one.toString().length());
  }

  @Test
  void badLengthIsRefusedNamingIt() {
    IllegalArgumentException bad =
        assertThrows(IllegalArgumentException.class, () -> ClaimToken.of(new byte[15]));
    assertEquals("token must be 16 bytes, was 15", bad.getMessage());
  }
}
