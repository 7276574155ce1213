package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CapturedResponseCodecTest {
  private static final byte[] KEY_1 = key(1);
  private static final byte[] KEY_2 = key(2);

  private static byte[] key(int fill) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) fill);
    return key;
  }

  private static final CapturedResponse CREATED =
      CapturedResponse.builder(201)
          .header("Content-Type", "application/json")
          .header("Location", "/payments/7")
          .header("Link", "</a>; rel=a")
          .header("link", "</b>; rel=b")
          .body("{\"id\":7}".getBytes(StandardCharsets.UTF_8))
          .build();

  /**
   * The stored form written by the version before the encoder computed sizes up front (it wrote
   * through a DataOutputStream): non-ASCII values, a pair and an unpaired surrogate included.
   */
  private static final String FORMAT_1_PLAIN =
      "c5010000c900000004000c436f6e74656e742d54797065000000106170706c69636174696f6e2f6a736f6e"
          + "0004455461670000000000044c696e6b000000233c68747470733a2f2f6578616d706c652e636f6d2f"
          + "613e3b2072656c3d226e6578742200044c696e6b00000012636166c3a920e282ac20f09f9880203f20"
          + "780000000d7b226964223a2263685f31227d";

  private static final CapturedResponse FORMAT_1_RESPONSE =
      CapturedResponse.builder(201)
          .header("Content-Type", "application/json")
          .header("Link", "<https://example.com/a>; rel=\"next\"")
          .header("Link", "caf\u00e9 \u20ac \ud83d\ude00 \ud800 x")
          .header("ETag", "")
          .body("{\"id\":\"ch_1\"}".getBytes(StandardCharsets.UTF_8))
          .build();

  @Test
  void encodesFormatOneByteForByteAsTheEarlierEncoder() {
    CapturedResponseCodec codec = CapturedResponseCodec.plain();

    assertEquals(FORMAT_1_PLAIN, HexFormat.of().formatHex(codec.encode(FORMAT_1_RESPONSE)));
    assertEquals(
        "c5010000cc0000000000000000",
        HexFormat.of().formatHex(codec.encode(CapturedResponse.builder(204).build())));
  }

  @Test
  void readsWhatTheEarlierEncoderWrote() {
    CapturedResponse decoded =
        CapturedResponseCodec.plain().decode(HexFormat.of().parseHex(FORMAT_1_PLAIN));

    assertEquals(201, decoded.status());
    assertEquals(
        List.of("<https://example.com/a>; rel=\"next\"", "caf\u00e9 \u20ac \ud83d\ude00 ? x"),
        decoded.headers("Link"));
    assertEquals(List.of(""), decoded.headers("ETag"));
    assertEquals("{\"id\":\"ch_1\"}", new String(decoded.body(), StandardCharsets.UTF_8));
  }

  @Test
  void utf8LengthIsWhatGetBytesEncodes() {
    for (String value :
        List.of(
            "", "ascii", "caf\u00e9", "\u20ac", "\ud83d\ude00", "\ud800", "\udc00x", "a\ud83d")) {
      assertEquals(
          value.getBytes(StandardCharsets.UTF_8).length,
          CapturedResponseCodec.utf8Length(value),
          value);
    }
  }

  @Test
  void plainRoundTripKeepsStatusHeadersInOrderAndBody() {
    CapturedResponseCodec codec = CapturedResponseCodec.plain();
    byte[] bytes = codec.encode(CREATED);

    CapturedResponse decoded = codec.decode(bytes);

    assertEquals(CREATED, decoded);
    assertEquals(List.of("</a>; rel=a", "</b>; rel=b"), decoded.headers("LINK"));
    assertEquals((byte) 0xC5, bytes[0]);
    assertEquals(1, bytes[1], "format version");
    assertEquals(0, bytes[2], "plain");
  }

  @Test
  void randomResponsesRoundTrip() {
    long seed = Long.getLong("idempo.seed", new Random().nextLong());
    System.out.println("CapturedResponseCodecTest seed " + seed);
    Random random = new Random(seed);
    CapturedResponseCodec plain = CapturedResponseCodec.plain();
    CapturedResponseCodec encrypted =
        CapturedResponseCodec.encrypted(EncryptionKeys.builder().add("k1", KEY_1).build());
    for (int i = 0; i < 200; i++) {
      CapturedResponse.Builder builder = CapturedResponse.builder(100 + random.nextInt(500));
      for (int h = random.nextInt(5); h > 0; h--) {
        builder.header("X-H" + random.nextInt(3), "v\u00e9\t" + random.nextInt());
      }
      byte[] body = new byte[random.nextInt(3) == 0 ? 0 : random.nextInt(5000)];
      random.nextBytes(body);
      CapturedResponse response = builder.body(body).build();
      assertEquals(
          response, plain.decode(plain.encode(response)), "seed " + seed + ", response " + i);
      assertEquals(
          response,
          encrypted.decode(encrypted.encode(response)),
          "seed " + seed + ", response " + i);
    }
  }

  @Test
  void encryptedRecordsHideTheBodyAndUseAFreshNonceEachTime() {
    CapturedResponseCodec codec =
        CapturedResponseCodec.encrypted(EncryptionKeys.builder().add("k1", KEY_1).build());
    byte[] first = codec.encode(CREATED);
    byte[] second = codec.encode(CREATED);

    assertFalse(new String(first, StandardCharsets.ISO_8859_1).contains("payments"));
    assertNotEquals(Arrays.toString(first), Arrays.toString(second));
    assertEquals(1, first[2], "AES-256-GCM");
    assertEquals(CREATED, codec.decode(first));
  }

  @Test
  void rotationWritesWithTheNewestKeyAndStillReadsOldRecords() {
    CapturedResponseCodec before =
        CapturedResponseCodec.encrypted(EncryptionKeys.builder().add("k1", KEY_1).build());
    EncryptionKeys rotated = EncryptionKeys.builder().add("k1", KEY_1).add("k2", KEY_2).build();
    CapturedResponseCodec after = CapturedResponseCodec.encrypted(rotated);
    byte[] old = before.encode(CREATED);
    byte[] fresh = after.encode(CREATED);

    assertEquals("k2", rotated.currentKeyId());
    assertEquals(CREATED, after.decode(old));
    assertEquals(CREATED, after.decode(fresh));
    StoredResponseUnreadableException unknown =
        assertThrows(StoredResponseUnreadableException.class, () -> before.decode(fresh));
    assertEquals(
        "stored response is encrypted with key id 'k2', which is not configured (configured: [k1])",
        unknown.getMessage());
  }

  @Test
  void plainRecordIsRefusedWhereEncryptionIsOn() {
    byte[] plain = CapturedResponseCodec.plain().encode(CREATED);
    CapturedResponseCodec encrypting =
        CapturedResponseCodec.encrypted(EncryptionKeys.builder().add("k1", KEY_1).build());

    StoredResponseUnreadableException e =
        assertThrows(StoredResponseUnreadableException.class, () -> encrypting.decode(plain));
    assertTrue(e.getMessage().contains("not encrypted, but encryption is on"), e.getMessage());
  }

  @Test
  void boundCiphertextCarriesItsStorageKeyAsAuthenticatedData() {
    CapturedResponseCodec codec =
        CapturedResponseCodec.encrypted(EncryptionKeys.builder().add("k1", KEY_1).build());
    byte[] recordA = new byte[32];
    byte[] recordB = new byte[32];
    recordB[0] = 1;
    byte[] sealed = codec.encode(CREATED.boundTo(recordA));

    assertArrayEquals(recordA, codec.decode(sealed).binding());
    byte[] rebound = sealed.clone();
    rebound[4 + 2] ^= 1; // the first byte of the stored storage key ("k1" is 2 bytes)
    assertThrows(StoredResponseUnreadableException.class, () -> codec.decode(rebound));
    assertEquals(CREATED, codec.decode(codec.encode(CREATED.boundTo(recordB))));
  }

  @Test
  void aPlainCodecRefusesEncryptedRecords() {
    byte[] sealed =
        CapturedResponseCodec.encrypted(EncryptionKeys.builder().add("k1", KEY_1).build())
            .encode(CREATED);

    StoredResponseUnreadableException e =
        assertThrows(
            StoredResponseUnreadableException.class,
            () -> CapturedResponseCodec.plain().decode(sealed));
    assertEquals(
        "stored response is encrypted with key id 'k1', but no encryption keys are configured",
        e.getMessage());
  }

  @Test
  void alteredCiphertextOrASwappedKeyFailsAuthentication() {
    CapturedResponseCodec codec =
        CapturedResponseCodec.encrypted(EncryptionKeys.builder().add("k1", KEY_1).build());
    byte[] sealed = codec.encode(CREATED);
    byte[] altered = sealed.clone();
    altered[altered.length - 20] ^= 1;
    CapturedResponseCodec otherKeySameId =
        CapturedResponseCodec.encrypted(EncryptionKeys.builder().add("k1", KEY_2).build());

    assertTrue(
        assertThrows(StoredResponseUnreadableException.class, () -> codec.decode(altered))
            .getMessage()
            .startsWith("stored response failed authentication under key id 'k1'"));
    assertThrows(StoredResponseUnreadableException.class, () -> otherKeySameId.decode(sealed));
  }

  @Test
  void corruptRecordsAreRefusedWithTheirCause() {
    CapturedResponseCodec codec = CapturedResponseCodec.plain();
    byte[] good = codec.encode(CREATED);

    assertEquals(
        "stored response is not in Idempo's HTTP response format (2 bytes)",
        assertThrows(StoredResponseUnreadableException.class, () -> codec.decode(new byte[] {1, 2}))
            .getMessage());
    byte[] future = good.clone();
    future[1] = 9;
    assertEquals(
        "stored response has HTTP response format version 9; this version of Idempo reads version 1",
        assertThrows(StoredResponseUnreadableException.class, () -> codec.decode(future))
            .getMessage());
    assertThrows(
        StoredResponseUnreadableException.class,
        () -> codec.decode(Arrays.copyOf(good, good.length - 1)));
    assertThrows(
        StoredResponseUnreadableException.class,
        () -> codec.decode(Arrays.copyOf(good, good.length + 1)));
    byte[] hugeLength = good.clone();
    hugeLength[5] = 0x7F; // header line count
    assertThrows(StoredResponseUnreadableException.class, () -> codec.decode(hugeLength));
  }

  @Test
  void encryptionKeysRejectBadInputNamingIt() {
    assertEquals(
        "key k1 must be 32 bytes (AES-256), was 16",
        assertThrows(
                IllegalArgumentException.class,
                () -> EncryptionKeys.builder().add("k1", new byte[16]))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> EncryptionKeys.builder().add("", KEY_1));
    assertThrows(IllegalArgumentException.class, () -> EncryptionKeys.builder().add("k 1", KEY_1));
    assertEquals(
        "keyId k1 was already added",
        assertThrows(
                IllegalArgumentException.class,
                () -> EncryptionKeys.builder().add("k1", KEY_1).add("k1", KEY_2))
            .getMessage());
    assertThrows(IllegalStateException.class, () -> EncryptionKeys.builder().build());
    assertEquals(
        "EncryptionKeys[current=k2, ids=[k1, k2]]",
        EncryptionKeys.builder().add("k1", KEY_1).add("k2", KEY_2).build().toString());
  }

  @Test
  void theKeyIsCopiedIn() {
    byte[] material = key(7);
    CapturedResponseCodec codec =
        CapturedResponseCodec.encrypted(EncryptionKeys.builder().add("k", material).build());
    byte[] sealed = codec.encode(CREATED);
    Arrays.fill(material, (byte) 0);

    assertArrayEquals(CREATED.body(), codec.decode(sealed).body());
  }
}
