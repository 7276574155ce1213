package dev.idempo.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.net.Webhook;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Stripe signatures, cross-checked against stripe-java's own {@code Webhook}: what it signs
 * verifies here, and whatever this refuses it refuses too (except a timestamp too far in the
 * future, which only Idempo refuses; pinned below).
 */
class StripeVerifierTest {
  private static final String SECRET = "whsec_test_3f8a9c0b1d2e";
  private static final String OLD_SECRET = "whsec_test_old_77aa";
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  private static final String PAYLOAD =
      "{\n  \"id\": \"evt_1QabcDEF\",\n  \"object\": \"event\",\n  \"type\": \"charge.succeeded\","
          + "\n  \"data\": {\"object\": {\"id\": \"ch_1\", \"amount\": 1000}}\n}";

  private final StripeVerifier verifier =
      StripeVerifier.builder(Secret.of(SECRET), Secret.of(OLD_SECRET)).build();

  private static WebhookRequest request(String header, String payload) {
    WebhookRequest.Builder builder = WebhookRequest.builder("POST", "/hooks/stripe").body(payload);
    if (header != null) {
      builder.header("Stripe-Signature", header);
    }
    return builder.build();
  }

  private static boolean stripeAccepts(String payload, String header, Instant now) {
    try {
      Webhook.Signature.verifyHeader(
          payload, header, SECRET, 300, Clock.fixed(now, ZoneOffset.UTC));
      return true;
    } catch (SignatureVerificationException e) {
      return false;
    } catch (RuntimeException e) {
      // stripe-java itself throws ArrayIndexOutOfBoundsException for a header such as "t" or
      // "t=1,v1" (an element without a value): a refusal, if a rough one.
      return false;
    }
  }

  private boolean idempoAccepts(String payload, String header, Instant now) {
    try {
      verifier.verify(request(header, payload), now);
      return true;
    } catch (WebhookVerificationException e) {
      return false;
    }
  }

  @Test
  void anEventSignedByStripeJavaVerifiesAndNamesItsEventId() throws Exception {
    String header =
        Webhook.Signature.generateSignatureHeader(PAYLOAD, SECRET, NOW.getEpochSecond());
    Event event =
        Webhook.constructEvent(PAYLOAD, header, SECRET, 300, Clock.fixed(NOW, ZoneOffset.UTC));

    VerifiedDelivery delivery = verifier.verify(request(header, PAYLOAD), NOW);

    assertEquals(event.getId(), delivery.eventId());
    assertEquals("evt_1QabcDEF", delivery.eventId());
    assertEquals(NOW, delivery.timestamp().orElseThrow());
  }

  @Test
  void aSignatureUnderTheOldSecretStillVerifiesDuringRotation() throws Exception {
    String old =
        Webhook.Signature.generateSignatureHeader(PAYLOAD, OLD_SECRET, NOW.getEpochSecond());
    verifier.verify(request(old, PAYLOAD), NOW);
    // Stripe sends one v1 per active secret while a roll is in progress.
    String current = Signing.stripeHeader(SECRET, NOW.getEpochSecond(), PAYLOAD);
    String both = current + ",v1=" + old.substring(old.indexOf("v1=") + 3);
    verifier.verify(request(both, PAYLOAD), NOW);
    assertTrue(stripeAccepts(PAYLOAD, both, NOW));
  }

  @Test
  void timestampsAtTheToleranceEdgesPassAndBeyondAreRefused() {
    long t = NOW.getEpochSecond();
    String header = Signing.stripeHeader(SECRET, t, PAYLOAD);
    verifier.verify(request(header, PAYLOAD), NOW.plusSeconds(300));
    WebhookVerificationException stale =
        assertThrows(
            WebhookVerificationException.class,
            () -> verifier.verify(request(header, PAYLOAD), NOW.plusSeconds(301)));
    assertEquals(RefusalReason.TIMESTAMP_STALE, stale.reason());
    assertTrue(!stripeAccepts(PAYLOAD, header, NOW.plusSeconds(301)));
  }

  /** Only Idempo refuses this: a signature made ahead of time could otherwise be saved up. */
  @Test
  void aTimestampBeyondTheToleranceInTheFutureIsRefusedThoughStripeJavaAcceptsIt() {
    String header = Signing.stripeHeader(SECRET, NOW.getEpochSecond() + 301, PAYLOAD);
    WebhookVerificationException future =
        assertThrows(
            WebhookVerificationException.class,
            () -> verifier.verify(request(header, PAYLOAD), NOW));
    assertEquals(RefusalReason.TIMESTAMP_IN_FUTURE, future.reason());
    assertTrue(stripeAccepts(PAYLOAD, header, NOW));
    String edge = Signing.stripeHeader(SECRET, NOW.getEpochSecond() + 300, PAYLOAD);
    verifier.verify(request(edge, PAYLOAD), NOW);
  }

  @Test
  void theToleranceIsConfigurableAndBoundedLoudly() {
    StripeVerifier strict =
        StripeVerifier.builder(Secret.of(SECRET)).tolerance(Duration.ofSeconds(10)).build();
    String header = Signing.stripeHeader(SECRET, NOW.getEpochSecond(), PAYLOAD);
    assertThrows(
        WebhookVerificationException.class,
        () -> strict.verify(request(header, PAYLOAD), NOW.plusSeconds(11)));
    IllegalArgumentException tooLong =
        assertThrows(
            IllegalArgumentException.class,
            () -> StripeVerifier.builder(Secret.of(SECRET)).tolerance(Duration.ofDays(2)));
    assertTrue(tooLong.getMessage().contains("tolerance"), tooLong.getMessage());
    assertThrows(IllegalArgumentException.class, () -> StripeVerifier.builder());
  }

  @Test
  void reasonsNameWhatIsWrong() {
    long t = NOW.getEpochSecond();
    assertEquals(RefusalReason.SIGNATURE_MISSING, reason(null, PAYLOAD));
    assertEquals(RefusalReason.SIGNATURE_MALFORMED, reason("garbage", PAYLOAD));
    assertEquals(RefusalReason.SIGNATURE_MALFORMED, reason("v1=" + "ab".repeat(32), PAYLOAD));
    assertEquals(RefusalReason.SIGNATURE_MALFORMED, reason("t=12x,v1=" + "ab".repeat(32), PAYLOAD));
    String ab = "ab".repeat(32);
    assertEquals(RefusalReason.SIGNATURE_MISMATCH, reason("t=" + t + ",v0=" + ab, PAYLOAD));
    assertEquals(RefusalReason.SIGNATURE_MISMATCH, reason("t=" + t + ",v1=" + ab, PAYLOAD));
    String signed = Signing.stripeHeader(SECRET, t, PAYLOAD);
    assertEquals(RefusalReason.SIGNATURE_MISMATCH, reason(signed, PAYLOAD + " "));
    String noId = "{\"object\":\"event\"}";
    assertEquals(
        RefusalReason.EVENT_ID_MISSING, reason(Signing.stripeHeader(SECRET, t, noId), noId));
  }

  private RefusalReason reason(String header, String payload) {
    return assertThrows(
            WebhookVerificationException.class,
            () -> verifier.verify(request(header, payload), NOW))
        .reason();
  }

  /**
   * Random corruptions of a valid delivery: every one Idempo refuses, stripe-java refuses too, and
   * every one stripe-java accepts, Idempo accepts (timestamps are kept inside the past tolerance,
   * where the two agree).
   */
  @Test
  void idempoAndStripeJavaAgreeOnRandomlyCorruptedDeliveries() {
    long seed = new Random().nextLong();
    System.out.println("StripeVerifierTest seed: " + seed);
    Random random = new Random(seed);
    int accepted = 0;
    for (int i = 0; i < 500; i++) {
      long t = NOW.getEpochSecond() - random.nextInt(400);
      String payload = PAYLOAD;
      String secret = random.nextInt(4) == 0 ? "whsec_other" : SECRET;
      String header = Signing.stripeHeader(secret, t, payload);
      switch (random.nextInt(6)) {
        case 0 -> payload = payload.replace("1000", "1001");
        case 1 -> header = header.replace("t=" + t, "t=" + (t - 1));
        case 2 -> header = header.substring(0, random.nextInt(header.length()));
        case 3 -> header = "v1=" + "00".repeat(32) + "," + header;
        case 4 -> header = header + ",v0=" + "11".repeat(32);
        default -> {}
      }
      boolean idempo = idempoAccepts(payload, header, NOW);
      boolean stripe = stripeAccepts(payload, header, NOW);
      assertEquals(stripe, idempo, "seed " + seed + ", case " + i + ": " + header);
      if (idempo) {
        accepted++;
      }
    }
    assertTrue(accepted > 50, "the corpus must hold valid deliveries too, had " + accepted);
  }

  @Test
  void toStringNamesSecretsByOriginOnly() {
    List<String> shown = new ArrayList<>(List.of(verifier.toString()));
    assertTrue(shown.get(0).contains("inline"));
    assertTrue(!shown.get(0).contains(SECRET) && !shown.get(0).contains(OLD_SECRET));
  }

  /** Found by SignatureFuzzTest: trim() dropped a leading CR, so "\rt=…" passed as "t=…". */
  @Test
  void aControlCharacterInTheSignatureHeaderIsRefusedNotTrimmedAway() {
    String valid = Signing.stripeHeader(SECRET, NOW.getEpochSecond(), PAYLOAD);
    String[] headers = {"\r" + valid, valid + "\u0000", "\u000bt=" + valid.substring(2)};
    for (String header : headers) {
      assertEquals(RefusalReason.SIGNATURE_MALFORMED, reason(header, PAYLOAD));
    }
    verifier.verify(request(" " + valid + "\t", PAYLOAD), NOW); // HTTP's own whitespace is fine
  }
}
