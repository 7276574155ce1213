package dev.idempo.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The generic HMAC scheme: header, algorithm, encoding, prefix, timestamp and template. */
class HmacVerifierTest {
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  private static final String SECRET = "generic-secret";
  private static final String BODY = "{\"id\":\"ev_9\",\"kind\":\"order.paid\"}";
  private static final byte[] KEY = SECRET.getBytes(StandardCharsets.UTF_8);

  @Test
  void aBase64BodyMacWithAnIdHeaderVerifies() {
    HmacVerifier shopifyLike =
        HmacVerifier.builder("shopify", "X-Shopify-Hmac-Sha256", Secret.of(SECRET))
            .encoding(HmacVerifier.Encoding.BASE64)
            .eventIdHeader("X-Shopify-Webhook-Id")
            .build();
    WebhookRequest request =
        WebhookRequest.builder("POST", "/hooks/shop")
            .body(BODY)
            .header("X-Shopify-Hmac-Sha256", Signing.base64(Signing.hmac("HmacSHA256", KEY, BODY)))
            .header("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
            .build();
    assertEquals(
        "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", shopifyLike.verify(request, NOW).eventId());
  }

  @Test
  void aSlackLikeTimestampedTemplateVerifiesAndChecksTheTolerance() {
    HmacVerifier slackLike =
        HmacVerifier.builder("slack", "X-Slack-Signature", Secret.of(SECRET))
            .signaturePrefix("v0=")
            .timestampHeader("X-Slack-Request-Timestamp")
            .signedPayload("v0:{timestamp}:{body}")
            .eventIdJsonField("id")
            .tolerance(Duration.ofMinutes(5))
            .build();
    long t = NOW.getEpochSecond();
    WebhookRequest request =
        WebhookRequest.builder("POST", "/hooks/slack")
            .body(BODY)
            .header(
                "X-Slack-Signature",
                "v0=" + Signing.hex(Signing.hmac("HmacSHA256", KEY, "v0:" + t + ":" + BODY)))
            .header("X-Slack-Request-Timestamp", Long.toString(t))
            .build();
    VerifiedDelivery delivery = slackLike.verify(request, NOW);
    assertEquals("ev_9", delivery.eventId());
    assertEquals(NOW, delivery.timestamp().orElseThrow());
    assertEquals(
        RefusalReason.TIMESTAMP_STALE,
        assertThrows(
                WebhookVerificationException.class,
                () -> slackLike.verify(request, NOW.plusSeconds(301)))
            .reason());
  }

  @Test
  void withoutAnIdSourceTheBodyHashIsTheEventId() {
    HmacVerifier plain =
        HmacVerifier.builder("plain", "X-Signature", Secret.of(SECRET))
            .algorithm("HmacSHA512")
            .build();
    WebhookRequest request =
        WebhookRequest.builder("POST", "/hooks/plain")
            .body(BODY)
            .header("X-Signature", Signing.hex(Signing.hmac("HmacSHA512", KEY, BODY)))
            .build();
    assertTrue(plain.verify(request, NOW).eventId().startsWith("sha256:"));
    WebhookRequest wrongAlgorithm =
        WebhookRequest.builder("POST", "/hooks/plain")
            .body(BODY)
            .header("X-Signature", Signing.hex(Signing.hmac("HmacSHA256", KEY, BODY)))
            .build();
    assertEquals(
        RefusalReason.SIGNATURE_MISMATCH,
        assertThrows(WebhookVerificationException.class, () -> plain.verify(wrongAlgorithm, NOW))
            .reason());
  }

  @Test
  void badConfigurationIsRefusedNamingTheValue() {
    IllegalArgumentException algorithm =
        assertThrows(
            IllegalArgumentException.class,
            () -> HmacVerifier.builder("x", "X-Sig", Secret.of(SECRET)).algorithm("MD5"));
    assertTrue(algorithm.getMessage().contains("MD5"));
    assertThrows(
        IllegalArgumentException.class,
        () -> HmacVerifier.builder("x", "X-Sig", Secret.of(SECRET)).signedPayload("{timestamp}"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            HmacVerifier.builder("x", "X-Sig", Secret.of(SECRET))
                .signedPayload("{timestamp}.{body}")
                .build());
    assertThrows(
        IllegalArgumentException.class,
        () -> HmacVerifier.builder("Bad Name", "X-Sig", Secret.of(SECRET)));
    assertThrows(
        IllegalArgumentException.class,
        () -> HmacVerifier.builder("x", "X Sig", Secret.of(SECRET)));
  }
}
