package dev.idempo.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.EmptyWebhookSecretException;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Standard Webhooks signatures, cross-checked against the Standard Webhooks Java library ({@code
 * com.standardwebhooks:standardwebhooks}) and the specification's test vector. That library reads
 * the system clock, so these tests check at the real current second.
 */
class StandardWebhooksVerifierTest {
  /** The test vector published with the specification and Svix's documentation. */
  private static final String VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  private static final String VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long VECTOR_TIMESTAMP = 1614265330;
  private static final String VECTOR_PAYLOAD = "{\"test\": 2432232314}";
  private static final String VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  private static final String SECRET =
      "whsec_"
          + Base64.getEncoder()
              .encodeToString("a 24-byte test secret...".getBytes(StandardCharsets.US_ASCII));
  private static final String PAYLOAD = "{\"type\":\"invoice.paid\",\"data\":{\"amount\":1200}}";

  private final Instant now = Instant.ofEpochSecond(Instant.now().getEpochSecond());
  private final StandardWebhooksVerifier verifier =
      StandardWebhooksVerifier.builder().secret(Secret.of(SECRET)).build();

  private static WebhookRequest request(
      String prefix, String id, String timestamp, String signature, String payload) {
    WebhookRequest.Builder builder = WebhookRequest.builder("POST", "/hooks/sw").body(payload);
    if (id != null) {
      builder.header(prefix + "id", id);
    }
    if (timestamp != null) {
      builder.header(prefix + "timestamp", timestamp);
    }
    if (signature != null) {
      builder.header(prefix + "signature", signature);
    }
    return builder.build();
  }

  private static boolean libraryAccepts(
      String id, String timestamp, String signature, String payload) {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put("webhook-id", List.of(id));
    headers.put("webhook-timestamp", List.of(timestamp));
    headers.put("webhook-signature", List.of(signature));
    try {
      new Webhook(SECRET).verify(payload, headers);
      return true;
    } catch (WebhookVerificationException | EmptyWebhookSecretException e) {
      return false;
    } catch (RuntimeException e) {
      return false; // the library's own failure on malformed input is a refusal too
    }
  }

  private boolean idempoAccepts(String id, String timestamp, String signature, String payload) {
    try {
      verifier.verify(request("webhook-", id, timestamp, signature, payload), now);
      return true;
    } catch (dev.idempo.webhooks.WebhookVerificationException e) {
      return false;
    }
  }

  @Test
  void theSpecificationsTestVectorVerifies() throws Exception {
    assertEquals(
        VECTOR_SIGNATURE,
        new Webhook(VECTOR_SECRET).sign(VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_PAYLOAD));
    StandardWebhooksVerifier vector =
        StandardWebhooksVerifier.builder().secret(Secret.of(VECTOR_SECRET)).build();
    VerifiedDelivery delivery =
        vector.verify(
            request(
                "webhook-",
                VECTOR_ID,
                Long.toString(VECTOR_TIMESTAMP),
                VECTOR_SIGNATURE,
                VECTOR_PAYLOAD),
            Instant.ofEpochSecond(VECTOR_TIMESTAMP + 10));
    assertEquals(VECTOR_ID, delivery.eventId());
  }

  @Test
  void aDeliverySignedByTheLibraryVerifiesUnderBothHeaderFamilies() throws Exception {
    String signature = new Webhook(SECRET).sign("msg_1", now.getEpochSecond(), PAYLOAD);
    String timestamp = Long.toString(now.getEpochSecond());
    assertEquals(
        "msg_1",
        verifier
            .verify(request("webhook-", "msg_1", timestamp, signature, PAYLOAD), now)
            .eventId());
    assertEquals(
        "msg_1",
        verifier.verify(request("svix-", "msg_1", timestamp, signature, PAYLOAD), now).eventId());
    assertTrue(libraryAccepts("msg_1", timestamp, signature, PAYLOAD));
  }

  @Test
  void anyOfSeveralSignaturesAndSecretsMatches() throws Exception {
    String other = "whsec_" + Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4, 5, 6});
    StandardWebhooksVerifier rotating =
        StandardWebhooksVerifier.builder()
            .secret(Secret.of(other))
            .secret(Secret.of(SECRET))
            .build();
    String timestamp = Long.toString(now.getEpochSecond());
    String good = new Webhook(SECRET).sign("msg_2", now.getEpochSecond(), PAYLOAD);
    String header = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v2,xyz " + good;
    rotating.verify(request("webhook-", "msg_2", timestamp, header, PAYLOAD), now);
    assertTrue(libraryAccepts("msg_2", timestamp, header, PAYLOAD));
  }

  @Test
  void ed25519SignaturesVerifyAgainstAConfiguredPublicKey() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] encoded = pair.getPublic().getEncoded();
    byte[] raw = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    StandardWebhooksVerifier asymmetric =
        StandardWebhooksVerifier.builder()
            .publicKey(Secret.of("whpk_" + Base64.getEncoder().encodeToString(raw)))
            .build();
    String timestamp = Long.toString(now.getEpochSecond());
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(pair.getPrivate());
    signer.update(("msg_3." + timestamp + "." + PAYLOAD).getBytes(StandardCharsets.UTF_8));
    String signature = "v1a," + Base64.getEncoder().encodeToString(signer.sign());

    asymmetric.verify(request("webhook-", "msg_3", timestamp, signature, PAYLOAD), now);
    assertEquals(
        RefusalReason.SIGNATURE_MISMATCH,
        assertThrows(
                dev.idempo.webhooks.WebhookVerificationException.class,
                () ->
                    asymmetric.verify(
                        request("webhook-", "msg_3", timestamp, signature, PAYLOAD + " "), now))
            .reason());
    // A v1a signature is never checked as an HMAC, nor a v1 one as Ed25519.
    assertThrows(
        dev.idempo.webhooks.WebhookVerificationException.class,
        () ->
            asymmetric.verify(
                request("webhook-", "msg_3", timestamp, "v1" + signature.substring(3), PAYLOAD),
                now));
  }

  @Test
  void timestampsOutsideTheToleranceEitherWayAreRefused() throws Exception {
    // ±303, not ±301: the library reads the real clock a moment after `now` was taken.
    for (long offset : new long[] {-303, 303}) {
      long t = now.getEpochSecond() + offset;
      String signature = new Webhook(SECRET).sign("msg_4", t, PAYLOAD);
      RefusalReason reason =
          assertThrows(
                  dev.idempo.webhooks.WebhookVerificationException.class,
                  () ->
                      verifier.verify(
                          request("webhook-", "msg_4", Long.toString(t), signature, PAYLOAD), now))
              .reason();
      assertEquals(
          offset < 0 ? RefusalReason.TIMESTAMP_STALE : RefusalReason.TIMESTAMP_IN_FUTURE, reason);
      assertTrue(!libraryAccepts("msg_4", Long.toString(t), signature, PAYLOAD));
    }
    long edge = now.getEpochSecond() - 300;
    verifier.verify(
        request(
            "webhook-",
            "msg_4",
            Long.toString(edge),
            new Webhook(SECRET).sign("msg_4", edge, PAYLOAD),
            PAYLOAD),
        now);
  }

  @Test
  void badSecretsAndKeysAreRejectedNamingTheirOrigin() {
    IllegalArgumentException notBase64 =
        assertThrows(
            IllegalArgumentException.class,
            () -> StandardWebhooksVerifier.builder().secret(Secret.of("whsec_!!!")));
    assertTrue(notBase64.getMessage().contains("Secret[inline]"), notBase64.getMessage());
    assertTrue(!notBase64.getMessage().contains("!!!"), notBase64.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> StandardWebhooksVerifier.builder().publicKey(Secret.of("whpk_AAAA")));
    assertThrows(IllegalStateException.class, () -> StandardWebhooksVerifier.builder().build());
  }

  /** Random corruptions: Idempo and the library accept and refuse exactly the same deliveries. */
  @Test
  void idempoAndTheLibraryAgreeOnRandomlyCorruptedDeliveries() throws Exception {
    long seed = new Random().nextLong();
    System.out.println("StandardWebhooksVerifierTest seed: " + seed);
    Random random = new Random(seed);
    int accepted = 0;
    for (int i = 0; i < 400; i++) {
      // Clear of the tolerance edges, where the library's later reading of the clock differs.
      int offset = random.nextInt(290);
      long t =
          now.getEpochSecond()
              + (random.nextBoolean() ? offset : -offset)
              + (random.nextInt(4) == 0 ? (random.nextBoolean() ? 320 : -320) : 0);
      String id = "msg_" + random.nextInt(1000);
      String payload = PAYLOAD;
      String timestamp = Long.toString(t);
      String signature = new Webhook(SECRET).sign(id, t, payload);
      switch (random.nextInt(6)) {
        case 0 -> payload = payload.replace("1200", "1201");
        case 1 -> id = id + "x";
        case 2 -> signature = signature.substring(0, random.nextInt(signature.length()));
        case 3 -> timestamp = Long.toString(t + 1);
        case 4 -> signature = "v1,bm9wZQ== " + signature;
        default -> {}
      }
      boolean idempo = idempoAccepts(id, timestamp, signature, payload);
      boolean library = libraryAccepts(id, timestamp, signature, payload);
      assertEquals(library, idempo, "seed " + seed + ", case " + i + ": " + signature);
      if (idempo) {
        accepted++;
      }
    }
    assertTrue(accepted > 30, "the corpus must hold valid deliveries too, had " + accepted);
  }

  /** Found by the cross-check: the JDK decoder takes unpadded base64, the library does not. */
  @Test
  void anUnpaddedSignatureMatchesNothingAsInTheLibrary() throws Exception {
    String timestamp = Long.toString(now.getEpochSecond());
    String signature = new Webhook(SECRET).sign("msg_5", now.getEpochSecond(), PAYLOAD);
    String unpadded = signature.replace("=", "");
    assertTrue(!unpadded.equals(signature), "the test signature must end in padding");
    assertEquals(
        RefusalReason.SIGNATURE_MISMATCH,
        assertThrows(
                dev.idempo.webhooks.WebhookVerificationException.class,
                () ->
                    verifier.verify(
                        request("webhook-", "msg_5", timestamp, unpadded, PAYLOAD), now))
            .reason());
    assertTrue(!libraryAccepts("msg_5", timestamp, unpadded, PAYLOAD));
  }
}
