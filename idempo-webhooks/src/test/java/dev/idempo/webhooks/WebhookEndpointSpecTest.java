package dev.idempo.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.testsupport.PayPalCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The text form of an endpoint, as the gateway's --webhook flag will take it. */
class WebhookEndpointSpecTest {
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  @TempDir Path directory;

  private String file(String name, String content) throws Exception {
    return "file:" + Files.writeString(directory.resolve(name), content + "\n");
  }

  @Test
  void aStripeEndpointWithTwoSecretsAndATolerance() throws Exception {
    WebhookEndpointSpec spec =
        WebhookEndpointSpec.parse(
            "/hooks/stripe=stripe:"
                + file("old", "whsec_old")
                + ","
                + file("new", "whsec_new")
                + ";tolerance=60s");
    assertEquals("/hooks/stripe", spec.path());
    StripeVerifier stripe = assertInstanceOf(StripeVerifier.class, spec.verifier());
    assertEquals(Duration.ofSeconds(60), stripe.tolerance());
    String body = StripeDeliveries.body("evt_s");
    for (String secret : new String[] {"whsec_old", "whsec_new"}) {
      stripe.verify(
          WebhookRequest.builder("POST", "/hooks/stripe")
              .body(body)
              .header("Stripe-Signature", Signing.stripeHeader(secret, NOW.getEpochSecond(), body))
              .build(),
          NOW);
    }
  }

  @Test
  void everyProviderParses() throws Exception {
    String whsec = "whsec_" + Base64.getEncoder().encodeToString(new byte[24]);
    assertEquals(
        "svix",
        WebhookEndpointSpec.parse("/a=svix:" + file("sw", whsec) + ";provider=svix;tolerance=PT2M")
            .verifier()
            .provider());
    GitHubVerifier github =
        assertInstanceOf(
            GitHubVerifier.class,
            WebhookEndpointSpec.parse("/b=github:" + file("gh", "s") + ";legacy-sha1=true")
                .verifier());
    assertTrue(github.allowsLegacySha1());
    PayPalCertificate certificate = PayPalCertificate.generate(directory, "pp", 2);
    assertEquals(
        "paypal",
        WebhookEndpointSpec.parse(
                "/c=paypal:" + file("pem", certificate.pem().strip()) + ";webhook-id=WH-1")
            .verifier()
            .provider());
    assertEquals(
        "shop",
        WebhookEndpointSpec.parse(
                "/d=hmac:"
                    + file("h", "k")
                    + ";provider=shop;header=X-Sig;"
                    + "encoding=base64;timestamp-header=X-Ts;payload={timestamp}.{body};"
                    + "event-id-field=id;algorithm=HmacSHA512;prefix=v1=")
            .verifier()
            .provider());
  }

  @Test
  void mistakesAreNamedAndNeverEchoAnInlineSecret() throws Exception {
    String secret = file("s", "whsec_x");
    for (String[] bad :
        new String[][] {
          {"hooks/x=stripe:" + secret, "PATH="},
          {"/x=stripe", "PROVIDER:SECRET"},
          {"/x=strpe:" + secret, "unknown provider"},
          {"/x=stripe:" + secret + ";legacy-sha1=true", "no option \"legacy-sha1\""},
          {"/x=stripe:" + secret + ";tolerance=soon", "not a duration"},
          {"/x=stripe:" + secret + ";tolerance=1s;tolerance=2s", "given twice"},
          {"/x=paypal:" + secret, "webhook-id"},
          {"/x=hmac:" + secret, "header="},
          {"/x=github:" + secret + ";legacy-sha1=yes", "true or false"},
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> WebhookEndpointSpec.parse(bad[0]));
      assertTrue(e.getMessage().contains(bad[1]), bad[0] + " -> " + e.getMessage());
    }
    for (String inline : new String[] {"/x=stripe:whsec_topsecret", "/x=strpe:whsec_topsecret"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> WebhookEndpointSpec.parse(inline));
      assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
    }
  }

  @Test
  void durationsReadTheShortForms() {
    assertEquals(Duration.ofMinutes(5), WebhookEndpointSpec.duration("300s"));
    assertEquals(Duration.ofMinutes(5), WebhookEndpointSpec.duration("5m"));
    assertEquals(Duration.ofDays(7), WebhookEndpointSpec.duration("7d"));
    assertEquals(Duration.ofMinutes(5), WebhookEndpointSpec.duration("PT5M"));
  }
}
