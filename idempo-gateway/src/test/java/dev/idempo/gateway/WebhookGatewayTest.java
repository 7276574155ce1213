package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.stripe.net.Webhook;
import dev.idempo.webhooks.WebhookEndpointSpec;
import dev.idempo.webhooks.WebhookReceiver;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's {@code --webhook} mode on real sockets: a real gateway in front of a real upstream,
 * deliveries signed with stripe-java's own signing code (an oracle independent of Idempo's
 * verifier).
 */
class WebhookGatewayTest {
  private static final String SECRET = "whsec_gateway_test_secret";
  private static final String EVENT =
      "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"payment_intent.succeeded\"}";

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path directory;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private WebhookUpstream upstream;
  private Path secretFile;

  @BeforeEach
  void start() throws IOException {
    upstream = WebhookUpstream.start(0);
    closing.add(upstream);
    secretFile = Files.writeString(directory.resolve("stripe-secret"), SECRET + "\n");
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private Requests gateway(URI target, Consumer<GatewayConfig.Builder> settings) {
    GatewayConfig.Builder config =
        TestEngine.builder(target)
            .listen("127.0.0.1", 0)
            .store(new CountingStore())
            .webhook(WebhookEndpointSpec.parse("/hooks/stripe=stripe:file:" + secretFile));
    settings.accept(config);
    Gateway gateway = new Gateway(config.build());
    closing.add(gateway);
    gateway.start();
    return new Requests(gateway.uri());
  }

  private Requests gateway() {
    return gateway(upstream.uri(), config -> {});
  }

  private static HttpRequest stripeDelivery(Requests gateway, String payload, String secret) {
    try {
      String signature =
          Webhook.Signature.generateSignatureHeader(
              payload, secret, Instant.now().getEpochSecond());
      return gateway
          .builder("/hooks/stripe")
          .header("Content-Type", "application/json; charset=utf-8")
          .header("Stripe-Signature", signature)
          .POST(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8))
          .build();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aValidStripeEventIsForwardedOnceWithItsEventKeyAndDuplicatesAreAnsweredAtOnce()
      throws Exception {
    Requests gateway = gateway();

    HttpResponse<String> first = gateway.send(stripeDelivery(gateway, EVENT, SECRET));
    HttpResponse<String> second = gateway.send(stripeDelivery(gateway, EVENT, SECRET));

    assertEquals(200, first.statusCode(), first.body());
    assertTrue(first.headers().firstValue(WebhookReceiver.REPLAYED_HEADER).isEmpty());
    assertEquals(200, second.statusCode(), second.body());
    assertEquals("true", second.headers().firstValue(WebhookReceiver.REPLAYED_HEADER).get());
    List<WebhookUpstream.Delivery> deliveries = upstream.deliveries();
    assertEquals(1, deliveries.size());
    WebhookUpstream.Delivery delivery = deliveries.get(0);
    assertEquals("/hooks/stripe", delivery.path());
    assertEquals("stripe:evt_1", delivery.idempotencyKey());
    assertArrayEquals(EVENT.getBytes(StandardCharsets.UTF_8), delivery.body());
    assertTrue(delivery.stripeSignature().startsWith("t="), "the signature is passed on");
  }

  @Test
  void theSendersOwnIdempotencyKeyIsReplacedByTheEventKey() throws Exception {
    Requests gateway = gateway();
    HttpRequest delivery = stripeDelivery(gateway, EVENT, SECRET);
    HttpRequest withKey =
        HttpRequest.newBuilder(delivery, (name, value) -> true)
            .header("Idempotency-Key", "chosen-by-the-sender")
            .build();

    assertEquals(200, gateway.send(withKey).statusCode());

    assertEquals("stripe:evt_1", upstream.deliveries().get(0).idempotencyKey());
  }

  @Test
  void theSameEventHundredTimesConcurrentlyIsForwardedOnceOnSqlite() throws Exception {
    Requests gateway =
        gateway(
            upstream.uri(),
            config ->
                config.storeLocation(StoreLocation.parse("sqlite:" + directory.resolve("g.db"))));
    upstream.holdDeliveries();
    List<CompletableFuture<HttpResponse<String>>> storm = new ArrayList<>();
    CountDownLatch answered = new CountDownLatch(99);
    for (int i = 0; i < 100; i++) {
      CompletableFuture<HttpResponse<String>> answer =
          CLIENT.sendAsync(
              stripeDelivery(gateway, EVENT, SECRET), HttpResponse.BodyHandlers.ofString());
      answer.whenComplete((response, failure) -> answered.countDown());
      storm.add(answer);
    }
    assertTrue(upstream.awaitFirst());
    // Every delivery but the forwarded one is answered while the upstream still holds it.
    assertTrue(answered.await(60, TimeUnit.SECONDS));
    upstream.release();

    int forwarded = 0;
    int retryLater = 0;
    for (CompletableFuture<HttpResponse<String>> answer : storm) {
      HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
      if (response.statusCode() == 200) {
        forwarded++;
      } else {
        assertEquals(503, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Retry-After").isPresent());
        retryLater++;
      }
    }
    assertEquals(1, forwarded);
    assertEquals(99, retryLater);
    assertEquals(1, upstream.deliveries().size());

    // Once forwarded, another storm is answered 200 from the store, still without a forward.
    List<CompletableFuture<HttpResponse<String>>> again = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      again.add(
          CLIENT.sendAsync(
              stripeDelivery(gateway, EVENT, SECRET), HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> answer : again) {
      HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
      assertEquals(200, response.statusCode(), response.body());
      assertEquals("true", response.headers().firstValue(WebhookReceiver.REPLAYED_HEADER).get());
    }
    assertEquals(1, upstream.deliveries().size());
  }

  @Test
  void aBadSignatureIs401NeverForwardedAndRecordsNothing() throws Exception {
    Requests gateway = gateway();

    HttpResponse<String> forged = gateway.send(stripeDelivery(gateway, EVENT, "whsec_wrong"));
    HttpResponse<String> unsigned =
        gateway.send(
            gateway
                .builder("/hooks/stripe")
                .POST(HttpRequest.BodyPublishers.ofString(EVENT))
                .build());

    assertEquals(401, forged.statusCode(), forged.body());
    assertEquals("application/problem+json", forged.headers().firstValue("Content-Type").get());
    assertEquals(401, unsigned.statusCode(), unsigned.body());
    assertTrue(upstream.deliveries().isEmpty());
    // Nothing was recorded: the real delivery of the event is still forwarded.
    HttpResponse<String> real = gateway.send(stripeDelivery(gateway, EVENT, SECRET));
    assertEquals(200, real.statusCode(), real.body());
    assertEquals(1, upstream.deliveries().size());
  }

  @Test
  void anUpstream500ReleasesTheEventSoTheSendersRetryForwardsItAgain() throws Exception {
    Requests gateway = gateway();
    upstream.answer(500);

    HttpResponse<String> failed = gateway.send(stripeDelivery(gateway, EVENT, SECRET));
    upstream.answer(200);
    HttpResponse<String> retried = gateway.send(stripeDelivery(gateway, EVENT, SECRET));
    HttpResponse<String> duplicate = gateway.send(stripeDelivery(gateway, EVENT, SECRET));

    assertEquals(500, failed.statusCode(), failed.body());
    assertTrue(failed.body().contains("webhook-handler-failed"), failed.body());
    assertEquals(200, retried.statusCode(), retried.body());
    assertFalse(retried.headers().firstValue(WebhookReceiver.REPLAYED_HEADER).isPresent());
    assertEquals(200, duplicate.statusCode());
    assertEquals(2, upstream.deliveries().size());
  }

  @Test
  void theAdminMetricsCountWebhookResultsAndRefusalsByReason() throws Exception {
    GatewayConfig config =
        TestEngine.builder(upstream.uri())
            .listen("127.0.0.1", 0)
            .admin("127.0.0.1", 0)
            .store(new CountingStore())
            .webhook(WebhookEndpointSpec.parse("/hooks/stripe=stripe:file:" + secretFile))
            .build();
    try (Gateway started = new Gateway(config)) {
      started.start();
      Requests gateway = new Requests(started.uri());
      gateway.send(stripeDelivery(gateway, EVENT, SECRET));
      gateway.send(stripeDelivery(gateway, EVENT, SECRET));
      gateway.send(stripeDelivery(gateway, EVENT, "whsec_wrong"));

      String metrics =
          new Requests(URI.create("http://127.0.0.1:" + started.adminPort().getAsInt()))
              .send("GET", "/metrics", null, null)
              .body();

      String tags = "endpoint=\"/hooks/stripe\",provider=\"stripe\"";
      assertTrue(
          metrics.contains(
              "idempo_gateway_webhooks_total{" + tags + ",reason=\"\",result=\"verified\"} 2.0"),
          metrics);
      assertTrue(
          metrics.contains(
              "idempo_gateway_webhooks_total{" + tags + ",reason=\"\",result=\"forwarded\"} 1.0"),
          metrics);
      assertTrue(
          metrics.contains(
              "idempo_gateway_webhooks_total{" + tags + ",reason=\"\",result=\"duplicate\"} 1.0"),
          metrics);
      assertTrue(
          metrics.contains(
              "idempo_gateway_webhooks_total{"
                  + tags
                  + ",reason=\"webhook-signature-mismatch\",result=\"refused\"} 1.0"),
          metrics);
    }
  }

  @Test
  void anUpstream4xxIsNotAcceptanceEither() throws Exception {
    Requests gateway = gateway();
    upstream.answer(422);

    assertEquals(500, gateway.send(stripeDelivery(gateway, EVENT, SECRET)).statusCode());
    upstream.answer(201);
    assertEquals(200, gateway.send(stripeDelivery(gateway, EVENT, SECRET)).statusCode());

    assertEquals(2, upstream.deliveries().size());
  }

  @Test
  void aRefusedUpstreamConnectionReleasesTheEvent() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Requests gateway = gateway(URI.create("http://127.0.0.1:" + port), config -> {});

    HttpResponse<String> refused = gateway.send(stripeDelivery(gateway, EVENT, SECRET));
    try (WebhookUpstream later = WebhookUpstream.start(port)) {
      HttpResponse<String> retried = gateway.send(stripeDelivery(gateway, EVENT, SECRET));

      assertEquals(500, refused.statusCode(), refused.body());
      assertEquals(200, retried.statusCode(), retried.body());
      assertEquals(1, later.deliveries().size());
    }
  }

  @Test
  void anUpstreamTimeoutReleasesTheEvent() throws Exception {
    Requests gateway =
        gateway(upstream.uri(), config -> config.upstreamTimeout(Duration.ofMillis(200)));
    upstream.holdDeliveries();

    HttpResponse<String> timedOut = gateway.send(stripeDelivery(gateway, EVENT, SECRET));
    upstream.release();
    HttpResponse<String> retried = gateway.send(stripeDelivery(gateway, EVENT, SECRET));

    assertEquals(500, timedOut.statusCode(), timedOut.body());
    assertEquals(200, retried.statusCode(), retried.body());
    assertEquals(2, upstream.deliveries().size());
  }

  @Test
  void otherPathsKeepTheIdempotencyKeyHandling() throws Exception {
    Requests gateway = gateway();

    HttpResponse<String> first = gateway.post("/orders", "k1", "{}");
    HttpResponse<String> second = gateway.post("/orders", "k1", "{}");
    HttpResponse<String> lookalike = gateway.post("/hooks/stripe/other", "k2", "{}");

    assertEquals(204, first.statusCode());
    assertEquals("true", second.headers().firstValue("Idempotent-Replayed").get());
    assertEquals(204, lookalike.statusCode(), "not a webhook path: forwarded by key");
    assertEquals(2, upstream.deliveries().size());
  }

  @Test
  void aBodyOverTheLimitIs413AndNotForwarded() throws Exception {
    Requests gateway = gateway(upstream.uri(), config -> config.maxRequestBodyBytes(64));
    String large = "{\"id\":\"evt_2\",\"pad\":\"" + "x".repeat(200) + "\"}";

    HttpResponse<String> answer = gateway.send(stripeDelivery(gateway, large, SECRET));

    assertEquals(413, answer.statusCode(), answer.body());
    assertTrue(upstream.deliveries().isEmpty());
  }

  private static String hmac(byte[] key, String message, boolean base64) throws Exception {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
    byte[] digest = mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    return base64
        ? java.util.Base64.getEncoder().encodeToString(digest)
        : java.util.HexFormat.of().formatHex(digest);
  }

  @Test
  void gitHubStandardWebhooksAndGenericHmacEventsAreForwardedOnceWithTheirEventKeys()
      throws Exception {
    String standardKey =
        java.util.Base64.getEncoder()
            .encodeToString("standard-webhooks-key-32-bytes!!".getBytes(StandardCharsets.UTF_8));
    Path standardSecret = Files.writeString(directory.resolve("sw"), "whsec_" + standardKey);
    Path plainSecret = Files.writeString(directory.resolve("plain"), "plain-secret");
    Requests gateway =
        gateway(
            upstream.uri(),
            config ->
                config
                    .webhook(WebhookEndpointSpec.parse("/hooks/github=github:file:" + plainSecret))
                    .webhook(
                        WebhookEndpointSpec.parse(
                            "/hooks/sw=standard-webhooks:file:" + standardSecret))
                    .webhook(
                        WebhookEndpointSpec.parse(
                            "/hooks/shop=hmac:file:"
                                + plainSecret
                                + ";provider=shop;header=X-Shop-Hmac;encoding=base64;event-id-header=X-Shop-Id")));
    String body = "{\"action\":\"opened\"}";
    long now = Instant.now().getEpochSecond();
    HttpRequest github =
        gateway
            .builder("/hooks/github")
            .header("X-GitHub-Delivery", "d-1")
            .header("X-GitHub-Hook-ID", "7")
            .header(
                "X-Hub-Signature-256",
                "sha256=" + hmac("plain-secret".getBytes(StandardCharsets.UTF_8), body, false))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpRequest standard =
        gateway
            .builder("/hooks/sw")
            .header("webhook-id", "msg_1")
            .header("webhook-timestamp", Long.toString(now))
            .header(
                "webhook-signature",
                "v1,"
                    + hmac(
                        java.util.Base64.getDecoder().decode(standardKey),
                        "msg_1." + now + "." + body,
                        true))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpRequest shop =
        gateway
            .builder("/hooks/shop")
            .header("X-Shop-Id", "s-1")
            .header(
                "X-Shop-Hmac", hmac("plain-secret".getBytes(StandardCharsets.UTF_8), body, true))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();

    for (HttpRequest delivery : List.of(github, standard, shop, github, standard, shop)) {
      HttpResponse<String> answer = gateway.send(delivery);
      assertEquals(200, answer.statusCode(), delivery.uri() + ": " + answer.body());
    }

    assertEquals(
        List.of(
            "/hooks/github github:d-1",
            "/hooks/sw standard-webhooks:msg_1",
            "/hooks/shop shop:s-1"),
        upstream.deliveries().stream().map(d -> d.path() + " " + d.idempotencyKey()).toList());
  }
}
