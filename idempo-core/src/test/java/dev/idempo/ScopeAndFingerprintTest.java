package dev.idempo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.StorageKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ScopeAndFingerprintTest {
  private final IdempotencyKey key = IdempotencyKey.of("k-1");

  @Test
  void storageKeyIsStableAndFixedLength() {
    StorageKey a = Scope.of("tenant", "POST /charges").storageKey(key);
    StorageKey b = Scope.of("tenant", "POST /charges").storageKey(key);

    assertEquals(a, b);
    assertEquals(StorageKey.LENGTH, a.toBytes().length);
    assertEquals(43, a.toString().length());
    assertEquals(a, StorageKey.parse(a.toString()));
  }

  @Test
  void lengthPrefixesKeepPartsApart() {
    assertNotEquals(Scope.of("ab", "c").storageKey(key), Scope.of("a", "bc").storageKey(key));
    assertNotEquals(
        Scope.of("t", "op").storageKey(IdempotencyKey.of("x")),
        Scope.of("t", "o").storageKey(IdempotencyKey.of("px")));
    assertNotEquals(Scope.of("alice", "op").storageKey(key), Scope.of("bob", "op").storageKey(key));
    assertNotEquals(
        Scope.of("", "POST /a").storageKey(key), Scope.of("", "POST /b").storageKey(key));
  }

  @Test
  void storageKeyIsSha256OverLengthPrefixedParts() throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (String part : new String[] {"idempo.storage-key.v1", "t", "op", "k-1"}) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      sha.update(new byte[] {0, 0, 0, (byte) bytes.length});
      sha.update(bytes);
    }
    assertEquals(
        HexFormat.of().formatHex(sha.digest()), Scope.of("t", "op").storageKey(key).toHex());
  }

  @Test
  void scopeRejectsBadParts() {
    assertTrue(
        assertThrows(NullPointerException.class, () -> Scope.of(null, "op"))
            .getMessage()
            .contains("tenant"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Scope.of("t", ""))
            .getMessage()
            .contains("operation"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Scope.of("t".repeat(1025), "op"))
            .getMessage()
            .contains("1024"));
    assertEquals(Scope.of("", "op"), Scope.operation("op"));
  }

  @Test
  void fingerprintDependsOnNamesValuesAndOrder() {
    Fingerprint base = Fingerprint.builder().add("method", "POST").add("body", "{}").build();

    assertEquals(base, Fingerprint.builder().add("method", "POST").add("body", "{}").build());
    assertNotEquals(base, Fingerprint.builder().add("method", "POST").add("body", "{ }").build());
    assertNotEquals(base, Fingerprint.builder().add("body", "{}").add("method", "POST").build());
    assertNotEquals(base, Fingerprint.builder().add("verb", "POST").add("body", "{}").build());
    assertNotEquals(
        Fingerprint.builder().add("a", "bc").build(), Fingerprint.builder().add("ab", "c").build());
  }

  @Test
  void fingerprintRoundTripsThroughBytesAndHex() {
    Fingerprint fp = Fingerprint.of("payload".getBytes(StandardCharsets.UTF_8));

    assertEquals(fp, Fingerprint.fromBytes(fp.toBytes()));
    assertEquals(fp, Fingerprint.fromHex(fp.toHex()));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Fingerprint.fromBytes(new byte[31]))
            .getMessage()
            .contains("32"));
  }

  @Test
  void aBuilderIsSingleUse() {
    Fingerprint.Builder builder = Fingerprint.builder().add("a", "b");
    builder.build();
    assertThrows(IllegalStateException.class, builder::build);
    assertThrows(IllegalStateException.class, () -> builder.add("c", "d"));
  }

  @Test
  void sliceOfAnArrayIsHashedLikeTheSameBytes() {
    byte[] whole = "xxbodyxx".getBytes(StandardCharsets.UTF_8);
    assertEquals(
        Fingerprint.builder().add("body", "body").build(),
        Fingerprint.builder().add("body", whole, 2, 4).build());
    assertThrows(
        IndexOutOfBoundsException.class, () -> Fingerprint.builder().add("body", whole, 6, 4));
  }
}
