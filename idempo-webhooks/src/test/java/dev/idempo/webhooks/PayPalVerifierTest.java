package dev.idempo.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.testsupport.PayPalCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PayPal's offline verification against a certificate made by keytool in the test. */
class PayPalVerifierTest {
  private static final String WEBHOOK_ID = "1JE4291016473214C";
  private static final String BODY =
      "{\"id\":\"WH-2WR32451HC0233532-67976317FL4543714\",\"event_type\":"
          + "\"PAYMENT.CAPTURE.COMPLETED\",\"resource\":{\"amount\":{\"value\":\"10.00\"}}}";

  @TempDir static Path directory;
  private static PayPalCertificate paypal;
  private static PayPalCertificate rogue;

  private Instant now;

  @BeforeAll
  static void makeCertificates() throws Exception {
    paypal = PayPalCertificate.generate(directory, "paypal", 30);
    rogue = PayPalCertificate.generate(directory, "rogue", 30);
  }

  private PayPalVerifier verifier() {
    return PayPalVerifier.builder(WEBHOOK_ID).certificate(paypal.certificate()).build();
  }

  private WebhookRequest.Builder delivery(PayPalCertificate signer, String body, String webhookId)
      throws Exception {
    now = paypal.certificate().getNotBefore().toInstant().plus(1, ChronoUnit.HOURS);
    String time = now.toString();
    return WebhookRequest.builder("POST", "/hooks/paypal")
        .header("PAYPAL-TRANSMISSION-ID", "69cd13f0-d67a-11e5-baa3-778b53f4ae55")
        .header("PAYPAL-TRANSMISSION-TIME", time)
        .header("PAYPAL-AUTH-ALGO", "SHA256withRSA")
        .header("PAYPAL-CERT-URL", "https://evil.example/cert.pem")
        .header(
            "PAYPAL-TRANSMISSION-SIG",
            signer.sign("69cd13f0-d67a-11e5-baa3-778b53f4ae55", time, webhookId, body))
        .body(body);
  }

  @Test
  void aDeliverySignedWithThePayPalKeyVerifiesAndNamesTheBodysEventId() throws Exception {
    VerifiedDelivery delivery =
        verifier().verify(delivery(paypal, BODY, WEBHOOK_ID).build(), now.plusSeconds(5));
    assertEquals("WH-2WR32451HC0233532-67976317FL4543714", delivery.eventId());
    assertEquals(now, delivery.timestamp().orElseThrow());
  }

  @Test
  void theCertificateMayComeFromAPemFile() throws Exception {
    Path pem = Files.writeString(directory.resolve("paypal.pem"), paypal.pem());
    PayPalVerifier fromFile =
        PayPalVerifier.builder(WEBHOOK_ID).certificate(Secret.fromFile(pem)).build();
    fromFile.verify(delivery(paypal, BODY, WEBHOOK_ID).build(), now);
    IllegalArgumentException notPem =
        assertThrows(
            IllegalArgumentException.class,
            () -> PayPalVerifier.builder(WEBHOOK_ID).certificate(Secret.of("not a certificate")));
    assertTrue(notPem.getMessage().contains("Secret[inline]"), notPem.getMessage());
  }

  @Test
  void anotherKeyAnotherWebhookOrAnotherBodyIsRefused() throws Exception {
    assertEquals(RefusalReason.SIGNATURE_MISMATCH, reason(delivery(rogue, BODY, WEBHOOK_ID)));
    assertEquals(RefusalReason.SIGNATURE_MISMATCH, reason(delivery(paypal, BODY, "OTHERHOOK")));
    WebhookRequest.Builder tampered = delivery(paypal, BODY, WEBHOOK_ID);
    WebhookRequest changed = tampered.body(BODY.replace("10.00", "99.00")).build();
    assertEquals(
        RefusalReason.SIGNATURE_MISMATCH,
        assertThrows(WebhookVerificationException.class, () -> verifier().verify(changed, now))
            .reason());
    // Rotation: the rogue certificate added as a second trusted one verifies its own deliveries.
    PayPalVerifier both =
        PayPalVerifier.builder(WEBHOOK_ID)
            .certificate(paypal.certificate())
            .certificate(rogue.certificate())
            .build();
    both.verify(delivery(rogue, BODY, WEBHOOK_ID).build(), now);
  }

  @Test
  void staleTransmissionsAndExpiredCertificatesAreRefused() throws Exception {
    WebhookRequest request = delivery(paypal, BODY, WEBHOOK_ID).build();
    assertEquals(
        RefusalReason.TIMESTAMP_STALE,
        assertThrows(
                WebhookVerificationException.class,
                () -> verifier().verify(request, now.plusSeconds(301)))
            .reason());
    assertEquals(
        RefusalReason.TIMESTAMP_IN_FUTURE,
        assertThrows(
                WebhookVerificationException.class,
                () -> verifier().verify(request, now.minusSeconds(301)))
            .reason());
    Instant afterExpiry = paypal.certificate().getNotAfter().toInstant().plusSeconds(1);
    assertEquals(
        RefusalReason.SIGNATURE_MISMATCH,
        assertThrows(
                WebhookVerificationException.class, () -> verifier().verify(request, afterExpiry))
            .reason());
  }

  @Test
  void anotherAlgorithmMalformedHeadersAndAMissingIdAreRefused() throws Exception {
    WebhookRequest.Builder otherAlgorithm = delivery(paypal, BODY, WEBHOOK_ID);
    WebhookRequest request = otherAlgorithm.build();
    WebhookRequest sha1 =
        WebhookRequest.of(
            "POST",
            "/hooks/paypal",
            withHeader(request, "PAYPAL-AUTH-ALGO", "SHA1withRSA"),
            request.body());
    assertEquals(
        RefusalReason.SIGNATURE_MALFORMED,
        assertThrows(WebhookVerificationException.class, () -> verifier().verify(sha1, now))
            .reason());
    WebhookRequest badTime =
        WebhookRequest.of(
            "POST",
            "/hooks/paypal",
            withHeader(request, "PAYPAL-TRANSMISSION-TIME", "yesterday"),
            request.body());
    assertEquals(
        RefusalReason.SIGNATURE_MALFORMED,
        assertThrows(WebhookVerificationException.class, () -> verifier().verify(badTime, now))
            .reason());
    String noId = "{\"event_type\":\"PAYMENT.CAPTURE.COMPLETED\"}";
    assertEquals(RefusalReason.EVENT_ID_MISSING, reason(delivery(paypal, noId, WEBHOOK_ID)));
    assertThrows(IllegalArgumentException.class, () -> PayPalVerifier.builder("a|b"));
    assertThrows(IllegalStateException.class, () -> PayPalVerifier.builder(WEBHOOK_ID).build());
  }

  private static java.util.Map<String, java.util.List<String>> withHeader(
      WebhookRequest request, String name, String value) {
    java.util.Map<String, java.util.List<String>> headers =
        new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.putAll(request.headers());
    headers.put(name, java.util.List.of(value));
    return headers;
  }

  private RefusalReason reason(WebhookRequest.Builder request) {
    WebhookRequest built = request.build();
    return assertThrows(WebhookVerificationException.class, () -> verifier().verify(built, now))
        .reason();
  }

  /**
   * Found by SignatureFuzzTest: the JDK's decoder ignores the unused bits of the last base64
   * character, so a signature text the sender never sent decoded to the signed bytes and passed.
   */
  @Test
  void aNonCanonicalSignatureTextIsRefusedAlthoughItDecodesToTheSignedBytes() throws Exception {
    WebhookRequest request = delivery(paypal, BODY, WEBHOOK_ID).build();
    String sent = request.headers().get("PAYPAL-TRANSMISSION-SIG").get(0);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int last = sent.replace("=", "").length() - 1; // its low bits carry nothing when padded
    char flipped = alphabet.charAt(alphabet.indexOf(sent.charAt(last)) ^ 1);
    String altered = sent.substring(0, last) + flipped + sent.substring(last + 1);
    assertTrue(sent.endsWith("="), "an RSA-2048 signature's base64 is padded");
    assertTrue(
        java.util.Arrays.equals(
            java.util.Base64.getDecoder().decode(sent),
            java.util.Base64.getDecoder().decode(altered)));
    WebhookRequest tampered =
        WebhookRequest.of(
            "POST",
            "/hooks/paypal",
            withHeader(request, "PAYPAL-TRANSMISSION-SIG", altered),
            request.body());

    assertEquals(
        "WH-2WR32451HC0233532-67976317FL4543714", verifier().verify(request, now).eventId());
    assertEquals(
        RefusalReason.SIGNATURE_MALFORMED,
        assertThrows(WebhookVerificationException.class, () -> verifier().verify(tampered, now))
            .reason());
  }

  /** Found by SignatureFuzzTest: without PAYPAL-AUTH-ALGO a delivery passed unchecked. */
  @Test
  void aDeliveryWithoutAuthAlgoIsRefused() throws Exception {
    WebhookRequest request = delivery(paypal, BODY, WEBHOOK_ID).build();
    java.util.Map<String, java.util.List<String>> headers =
        new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.putAll(request.headers());
    headers.remove("PAYPAL-AUTH-ALGO");
    WebhookRequest without = WebhookRequest.of("POST", "/hooks/paypal", headers, request.body());
    assertEquals(
        RefusalReason.SIGNATURE_MISSING,
        assertThrows(WebhookVerificationException.class, () -> verifier().verify(without, now))
            .reason());
  }
}
