package dev.idempo.webhooks;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** GitHub signatures, against the example in GitHub's "Validating webhook deliveries". */
class GitHubVerifierTest {
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

  /** GitHub's documented example: this secret and payload give this signature. */
  private static final String DOC_SECRET = "It's a Secret to Everybody";

  private static final String DOC_PAYLOAD = "Hello, World!";
  private static final String DOC_SIGNATURE =
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

  private final GitHubVerifier verifier = GitHubVerifier.builder(Secret.of(DOC_SECRET)).build();

  private static WebhookRequest.Builder delivery(String payload) {
    return WebhookRequest.builder("POST", "/hooks/github")
        .header("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
        .header("X-GitHub-Hook-ID", "292430182")
        .body(payload);
  }

  @Test
  void githubsDocumentedExampleVerifies() {
    VerifiedDelivery delivery =
        verifier.verify(
            delivery(DOC_PAYLOAD).header("X-Hub-Signature-256", DOC_SIGNATURE).build(), NOW);
    assertEquals("72d3162e-cc78-11e3-81ab-4c9367dc0958", delivery.eventId());
    assertEquals("292430182", delivery.source());
    assertEquals(Optional.empty(), delivery.timestamp());
    assertEquals(DOC_SIGNATURE, Signing.gitHubHeader(DOC_SECRET, DOC_PAYLOAD));
  }

  @Test
  void aTamperedBodyOrWrongSecretIsRefused() {
    assertEquals(
        RefusalReason.SIGNATURE_MISMATCH,
        reason(verifier, delivery(DOC_PAYLOAD + "!").header("X-Hub-Signature-256", DOC_SIGNATURE)));
    GitHubVerifier other = GitHubVerifier.builder(Secret.of("another secret")).build();
    assertEquals(
        RefusalReason.SIGNATURE_MISMATCH,
        reason(other, delivery(DOC_PAYLOAD).header("X-Hub-Signature-256", DOC_SIGNATURE)));
    GitHubVerifier rotating =
        GitHubVerifier.builder(Secret.of("another secret"), Secret.of(DOC_SECRET)).build();
    rotating.verify(
        delivery(DOC_PAYLOAD).header("X-Hub-Signature-256", DOC_SIGNATURE).build(), NOW);
  }

  @Test
  void malformedAndMissingHeadersAreNamed() {
    assertEquals(RefusalReason.SIGNATURE_MISSING, reason(verifier, delivery(DOC_PAYLOAD)));
    assertEquals(
        RefusalReason.SIGNATURE_MALFORMED,
        reason(verifier, delivery(DOC_PAYLOAD).header("X-Hub-Signature-256", "sha1=abc")));
    assertEquals(
        RefusalReason.SIGNATURE_MALFORMED,
        reason(
            verifier,
            delivery(DOC_PAYLOAD)
                .header(
                    "X-Hub-Signature-256",
                    DOC_SIGNATURE.toUpperCase(Locale.ROOT).replace("SHA256=", "sha256="))));
    assertEquals(
        RefusalReason.SIGNATURE_MALFORMED,
        reason(
            verifier,
            delivery(DOC_PAYLOAD)
                .header("X-Hub-Signature-256", DOC_SIGNATURE)
                .header("X-Hub-Signature-256", DOC_SIGNATURE)));
    WebhookRequest noDelivery =
        WebhookRequest.builder("POST", "/hooks/github")
            .body(DOC_PAYLOAD)
            .header("X-Hub-Signature-256", DOC_SIGNATURE)
            .build();
    assertEquals(
        RefusalReason.EVENT_ID_MISSING,
        assertThrows(WebhookVerificationException.class, () -> verifier.verify(noDelivery, NOW))
            .reason());
  }

  @Test
  void legacySha1IsReadOnlyWhenExplicitlyEnabled() {
    String sha1 =
        "sha1=" + Signing.hex(Signing.hmac("HmacSHA1", DOC_SECRET.getBytes(UTF_8), DOC_PAYLOAD));
    WebhookRequest.Builder legacy = delivery(DOC_PAYLOAD).header("X-Hub-Signature", sha1);
    assertEquals(RefusalReason.SIGNATURE_MISSING, reason(verifier, legacy));
    GitHubVerifier enabled =
        GitHubVerifier.builder(Secret.of(DOC_SECRET)).allowLegacySha1().build();
    enabled.verify(legacy.build(), NOW);
    assertTrue(enabled.allowsLegacySha1());
    // With both headers present, SHA-256 decides: a bad SHA-256 is not rescued by a good SHA-1.
    WebhookRequest both =
        delivery(DOC_PAYLOAD)
            .header("X-Hub-Signature", sha1)
            .header("X-Hub-Signature-256", "sha256=" + "0".repeat(64))
            .build();
    assertEquals(
        RefusalReason.SIGNATURE_MISMATCH,
        assertThrows(WebhookVerificationException.class, () -> enabled.verify(both, NOW)).reason());
  }

  private static RefusalReason reason(GitHubVerifier verifier, WebhookRequest.Builder request) {
    return assertThrows(
            WebhookVerificationException.class, () -> verifier.verify(request.build(), NOW))
        .reason();
  }
}
