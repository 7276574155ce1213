package dev.idempo.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.stripe.net.Webhook;
import dev.idempo.http.CapturedResponse;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.tck.MutableClock;
import dev.idempo.testsupport.PayPalCertificate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every provider through the library's {@link WebhookReceiver}: a valid delivery runs the handler
 * once, the provider's retry of it (re-signed the way that provider re-signs) gets 200 at once
 * without running it, and a forged delivery is refused and records nothing, so the genuine one
 * still runs. Stripe and Standard Webhooks deliveries are signed by stripe-java and the Standard
 * Webhooks library (the providers' own code), the rest with the JDK.
 */
class EveryProviderTest {
  private static final String STRIPE_SECRET = "whsec_every_provider";
  private static final String SW_SECRET =
      "whsec_"
          + Base64.getEncoder()
              .encodeToString("every provider, 24 bytes".getBytes(StandardCharsets.UTF_8));
  private static final String GITHUB_SECRET = "every provider github";
  private static final String HMAC_SECRET = "every provider hmac";
  private static final String PAYPAL_WEBHOOK = "WH-EVERY-PROVIDER";

  @TempDir static Path directory;
  private static PayPalCertificate paypal;
  private static PayPalCertificate rogue;
  private static KeyPair ed25519;
  private static KeyPair otherEd25519;

  private final MutableClock clock =
      new MutableClock(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
  private final InMemoryIdempotencyStore store =
      InMemoryIdempotencyStore.builder().clock(clock).build();
  private final List<String> runs = new ArrayList<>();
  private final CountingListener listener = new CountingListener();

  @BeforeAll
  static void makeKeys() throws Exception {
    paypal = PayPalCertificate.generate(directory, "paypal", 30);
    rogue = PayPalCertificate.generate(directory, "rogue", 30);
    ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    otherEd25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }

  /** One provider: its endpoint, and how it signs the attempt'th delivery of an event. */
  enum Provider {
    STRIPE("stripe"),
    STANDARD_WEBHOOKS("standard-webhooks"),
    SVIX_HEADERS("standard-webhooks"),
    STANDARD_WEBHOOKS_ED25519("standard-webhooks"),
    GITHUB("github"),
    PAYPAL("paypal"),
    GENERIC_HMAC("shop");

    final String name;

    Provider(String name) {
      this.name = name;
    }

    String path() {
      return "/hooks/" + name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static WebhookVerifier verifier(Provider provider) {
    return switch (provider) {
      case STRIPE -> StripeVerifier.builder(Secret.of(STRIPE_SECRET)).build();
      case STANDARD_WEBHOOKS, SVIX_HEADERS ->
          StandardWebhooksVerifier.builder().secret(Secret.of(SW_SECRET)).build();
      case STANDARD_WEBHOOKS_ED25519 ->
          StandardWebhooksVerifier.builder()
              .publicKey(Secret.of("whpk_" + Base64.getEncoder().encodeToString(raw(ed25519))))
              .build();
      case GITHUB -> GitHubVerifier.builder(Secret.of(GITHUB_SECRET)).build();
      case PAYPAL ->
          PayPalVerifier.builder(PAYPAL_WEBHOOK).certificate(paypal.certificate()).build();
      case GENERIC_HMAC ->
          HmacVerifier.builder("shop", "X-Shop-Signature", Secret.of(HMAC_SECRET))
              .encoding(HmacVerifier.Encoding.BASE64)
              .timestampHeader("X-Shop-Timestamp")
              .signedPayload("{timestamp}.{body}")
              .eventIdHeader("X-Shop-Event")
              .build();
    };
  }

  private static byte[] raw(KeyPair pair) {
    byte[] encoded = pair.getPublic().getEncoded();
    return Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
  }

  /**
   * The {@code attempt}'th delivery of {@code eventId} at {@code at}, signed with the configured
   * secret or, when {@code forged}, with another.
   */
  static WebhookRequest delivery(
      Provider provider, String eventId, Instant at, int attempt, boolean forged) throws Exception {
    String body = "{\"id\":\"" + eventId + "\",\"attempt\":" + attempt + "}";
    long t = at.getEpochSecond();
    WebhookRequest.Builder request = WebhookRequest.builder("POST", provider.path()).body(body);
    switch (provider) {
      case STRIPE ->
          request.header(
              "Stripe-Signature",
              Webhook.Signature.generateSignatureHeader(
                  body, forged ? "whsec_forged" : STRIPE_SECRET, t));
      case STANDARD_WEBHOOKS, SVIX_HEADERS -> {
        String prefix = provider == Provider.SVIX_HEADERS ? "svix-" : "webhook-";
        String secret =
            forged ? "whsec_" + Base64.getEncoder().encodeToString(new byte[24]) : SW_SECRET;
        request
            .header(prefix + "id", eventId)
            .header(prefix + "timestamp", Long.toString(t))
            .header(
                prefix + "signature",
                new com.standardwebhooks.Webhook(secret).sign(eventId, t, body));
      }
      case STANDARD_WEBHOOKS_ED25519 -> {
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign((forged ? otherEd25519 : ed25519).getPrivate());
        signer.update((eventId + "." + t + "." + body).getBytes(StandardCharsets.UTF_8));
        request
            .header("webhook-id", eventId)
            .header("webhook-timestamp", Long.toString(t))
            .header(
                "webhook-signature", "v1a," + Base64.getEncoder().encodeToString(signer.sign()));
      }
      case GITHUB ->
          request
              .header("X-GitHub-Delivery", eventId)
              .header("X-GitHub-Hook-ID", "42")
              .header("X-GitHub-Event", "push")
              .header(
                  "X-Hub-Signature-256",
                  Signing.gitHubHeader(forged ? "forged" : GITHUB_SECRET, body));
      case PAYPAL ->
          (forged ? rogue : paypal)
              .headers("tx-" + attempt + "-" + eventId, at, PAYPAL_WEBHOOK, body)
              .forEach(request::header);
      case GENERIC_HMAC -> {
        byte[] key = (forged ? "forged" : HMAC_SECRET).getBytes(StandardCharsets.UTF_8);
        request
            .header("X-Shop-Event", eventId)
            .header("X-Shop-Timestamp", Long.toString(t))
            .header(
                "X-Shop-Signature",
                Signing.base64(Signing.hmac("HmacSHA256", key, t + "." + body)));
      }
    }
    return request.build();
  }

  private WebhookReceiver receiver(Provider provider) {
    return WebhookReceiver.builder(store)
        .endpoint(
            provider.path(),
            verifier(provider),
            event -> {
              synchronized (runs) {
                runs.add(event.provider() + ":" + event.id());
              }
            })
        .listener(listener)
        .clock(clock)
        .build();
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void aValidDeliveryRunsOnceItsRetryIsAnsweredAtOnceAndAForgeryRecordsNothing(Provider provider)
      throws Exception {
    WebhookReceiver receiver = receiver(provider);

    CapturedResponse first =
        receiver.receive(delivery(provider, "evt_1", clock.instant(), 1, false));
    clock.advance(Duration.ofSeconds(90)); // the sender's retry, signed anew
    CapturedResponse retry =
        receiver.receive(delivery(provider, "evt_1", clock.instant(), 2, false));

    assertEquals(200, first.status(), text(first));
    assertTrue(first.header(WebhookReceiver.REPLAYED_HEADER).isEmpty());
    assertEquals(200, retry.status(), text(retry));
    assertEquals("true", retry.header(WebhookReceiver.REPLAYED_HEADER).orElseThrow());
    assertEquals(List.of(provider.name + ":evt_1"), runs);
    assertEquals(1, listener.count("duplicate"));

    int recorded = store.size();
    CapturedResponse forged =
        receiver.receive(delivery(provider, "evt_2", clock.instant(), 1, true));

    assertEquals(401, forged.status(), text(forged));
    assertEquals("application/problem+json", forged.header("Content-Type").orElseThrow());
    assertEquals(1, listener.count("refused:webhook-signature-mismatch"));
    assertEquals(recorded, store.size(), "a refused delivery records nothing");
    assertEquals(List.of(provider.name + ":evt_1"), runs);
    // The genuine delivery of the event the forgery named still runs.
    CapturedResponse genuine =
        receiver.receive(delivery(provider, "evt_2", clock.instant(), 1, false));
    assertEquals(200, genuine.status(), text(genuine));
    assertTrue(genuine.header(WebhookReceiver.REPLAYED_HEADER).isEmpty());
    assertEquals(List.of(provider.name + ":evt_1", provider.name + ":evt_2"), runs);
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void aHandlerFailureReleasesTheEventForTheProvidersRetry(Provider provider) throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    WebhookReceiver receiver =
        WebhookReceiver.builder(store)
            .endpoint(
                provider.path(),
                verifier(provider),
                event -> {
                  if (attempts.incrementAndGet() == 1) {
                    throw new IllegalStateException("the database is down");
                  }
                })
            .clock(clock)
            .build();

    CapturedResponse failed =
        receiver.receive(delivery(provider, "evt_f", clock.instant(), 1, false));
    clock.advance(Duration.ofSeconds(60));
    CapturedResponse retried =
        receiver.receive(delivery(provider, "evt_f", clock.instant(), 2, false));
    CapturedResponse duplicate =
        receiver.receive(delivery(provider, "evt_f", clock.instant(), 3, false));

    assertEquals(500, failed.status(), text(failed));
    assertEquals(200, retried.status(), text(retried));
    assertTrue(retried.header(WebhookReceiver.REPLAYED_HEADER).isEmpty());
    assertEquals("true", duplicate.header(WebhookReceiver.REPLAYED_HEADER).orElseThrow());
    assertEquals(2, attempts.get());
  }

  private static String text(CapturedResponse response) {
    return response.status() + " " + new String(response.body(), StandardCharsets.UTF_8);
  }
}
