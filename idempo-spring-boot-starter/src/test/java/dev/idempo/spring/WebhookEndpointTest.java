package dev.idempo.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.net.Webhook;
import dev.idempo.spring.micrometer.MicrometerWebhookListener;
import dev.idempo.spring.webhookapp.StripeWebhooks;
import dev.idempo.spring.webhookapp.WebhookRuns;
import dev.idempo.spring.webhookapp.WebhookTestApplication;
import dev.idempo.testsupport.PostgresServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Webhook endpoints in a real Spring Boot application on a random port, with the JDBC store on the
 * shared PostgreSQL server; deliveries signed with stripe-java's own signing code.
 */
@SpringBootTest(
    classes = WebhookTestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "idempo.store.type=jdbc",
      "spring.datasource.hikari.maximum-pool-size=20",
      "idempo.webhooks.tolerance=60s"
    })
class WebhookEndpointTest {
  private static final String SECRET = "whsec_starter_test_secret";
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static Path secretFile;

  @LocalServerPort int port;
  @Autowired WebhookRuns runs;
  @Autowired JdbcTemplate jdbc;
  @Autowired MeterRegistry meters;

  @DynamicPropertySource
  static void configure(DynamicPropertyRegistry properties) throws IOException {
    secretFile = Files.createTempFile("idempo-webhook-secret", ".txt");
    secretFile.toFile().deleteOnExit();
    Files.writeString(secretFile, SECRET);
    String url = PostgresServer.shared().createDatabase("starter_webhooks");
    properties.add("spring.datasource.url", () -> url);
    properties.add("spring.datasource.username", () -> PostgresServer.USER);
    properties.add("spring.datasource.password", () -> "");
    properties.add("idempo.webhooks.endpoints[0]", () -> "/hooks/stripe=stripe:file:" + secretFile);
    properties.add(
        "idempo.webhooks.endpoints[1]", () -> "/hooks/stripe-tx=stripe:file:" + secretFile);
    properties.add("idempo.webhooks.endpoints[2]", () -> "/hooks/github=github:file:" + secretFile);
  }

  private static String event(String id) {
    return "{\"id\":\"" + id + "\",\"object\":\"event\",\"type\":\"invoice.paid\"}";
  }

  private HttpRequest stripe(String path, String payload, String secret, Instant signedAt) {
    try {
      String signature =
          Webhook.Signature.generateSignatureHeader(payload, secret, signedAt.getEpochSecond());
      return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(60))
          .header("Content-Type", "application/json")
          .header("Stripe-Signature", signature)
          .POST(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8))
          .build();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private HttpRequest stripe(String path, String payload) {
    return stripe(path, payload, SECRET, Instant.now());
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private double count(String name, String... tags) {
    Counter counter = meters.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void anAnnotatedHandlerRunsOncePerEventAndDuplicatesAreAnsweredAtOnce() {
    String id = "evt_" + UUID.randomUUID();
    double verified = count(MicrometerWebhookListener.VERIFIED, "endpoint", "/hooks/stripe");
    double handled = count(MicrometerWebhookListener.HANDLED, "endpoint", "/hooks/stripe");
    double duplicates =
        count(
            MicrometerWebhookListener.DUPLICATES,
            "endpoint",
            "/hooks/stripe",
            "state",
            "processed");

    HttpResponse<String> first = send(stripe("/hooks/stripe", event(id)));
    HttpResponse<String> second = send(stripe("/hooks/stripe", event(id)));

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.headers().firstValue("Idempotent-Replayed")).contains("true");
    assertThat(runs.of("stripe:" + id)).isEqualTo(1);
    assertThat(count(MicrometerWebhookListener.VERIFIED, "endpoint", "/hooks/stripe"))
        .isEqualTo(verified + 2);
    assertThat(count(MicrometerWebhookListener.HANDLED, "endpoint", "/hooks/stripe"))
        .isEqualTo(handled + 1);
    assertThat(
            count(
                MicrometerWebhookListener.DUPLICATES,
                "endpoint",
                "/hooks/stripe",
                "state",
                "processed"))
        .isEqualTo(duplicates + 1);
  }

  @Test
  void aBadSignatureIsRefusedWithoutRunningTheHandlerAndCountedByReason() {
    String id = "evt_" + UUID.randomUUID();
    double refused =
        count(
            MicrometerWebhookListener.REFUSED,
            "endpoint",
            "/hooks/stripe",
            "reason",
            "webhook-signature-mismatch");

    HttpResponse<String> forged =
        send(stripe("/hooks/stripe", event(id), "whsec_other", Instant.now()));

    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(forged.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(runs.of("stripe:" + id)).isZero();
    assertThat(
            count(
                MicrometerWebhookListener.REFUSED,
                "endpoint",
                "/hooks/stripe",
                "reason",
                "webhook-signature-mismatch"))
        .isEqualTo(refused + 1);
    // Nothing was recorded: the genuine delivery runs.
    assertThat(send(stripe("/hooks/stripe", event(id))).statusCode()).isEqualTo(200);
    assertThat(runs.of("stripe:" + id)).isEqualTo(1);
  }

  @Test
  void theToleranceFromPropertiesRefusesADeliverySignedTwoMinutesAgo() {
    String id = "evt_" + UUID.randomUUID();

    HttpResponse<String> late =
        send(stripe("/hooks/stripe", event(id), SECRET, Instant.now().minusSeconds(120)));

    // The verifier's own default (300 s) would have accepted it.
    assertThat(late.statusCode()).isEqualTo(401);
    assertThat(late.body()).contains("webhook-timestamp-stale");
    assertThat(runs.of("stripe:" + id)).isZero();
  }

  @Test
  void aHandlerFailureAnswers500AndReleasesTheEventForTheRetry() {
    String id = "evt_" + UUID.randomUUID();
    StripeWebhooks.failing.add(id);
    double failures =
        count(MicrometerWebhookListener.HANDLER_FAILURES, "endpoint", "/hooks/stripe");

    HttpResponse<String> failed = send(stripe("/hooks/stripe", event(id)));
    HttpResponse<String> retried = send(stripe("/hooks/stripe", event(id)));

    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(retried.statusCode()).isEqualTo(200);
    assertThat(retried.headers().firstValue("Idempotent-Replayed")).isEmpty();
    assertThat(runs.of("stripe:" + id)).isEqualTo(2);
    assertThat(count(MicrometerWebhookListener.HANDLER_FAILURES, "endpoint", "/hooks/stripe"))
        .isEqualTo(failures + 1);
  }

  @Test
  void theSameEventHundredTimesConcurrentlyRunsTheHandlerOnce() throws Exception {
    String id = "evt_storm_" + UUID.randomUUID();
    StripeWebhooks.entered = new CountDownLatch(1);
    StripeWebhooks.hold = new CountDownLatch(1);
    StripeWebhooks.held.add(id);
    List<CompletableFuture<HttpResponse<String>>> storm = new ArrayList<>();
    CountDownLatch answered = new CountDownLatch(99);
    try {
      for (int i = 0; i < 100; i++) {
        CompletableFuture<HttpResponse<String>> answer =
            CLIENT.sendAsync(
                stripe("/hooks/stripe", event(id)), HttpResponse.BodyHandlers.ofString());
        storm.add(answer.whenComplete((response, failure) -> answered.countDown()));
      }
      assertThat(StripeWebhooks.entered.await(60, TimeUnit.SECONDS)).isTrue();
      assertThat(answered.await(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      StripeWebhooks.hold.countDown();
    }

    int ok = 0;
    for (CompletableFuture<HttpResponse<String>> answer : storm) {
      HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
      if (response.statusCode() == 200) {
        ok++;
      } else {
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
      }
    }
    assertThat(ok).isEqualTo(1);
    assertThat(runs.of("stripe:" + id)).isEqualTo(1);
  }

  @Test
  void aTransactionalHandlerThatFailsAfterItsInsertLeavesNothingAndTheRetryCommitsOnce() {
    String id = "evt_" + UUID.randomUUID();
    StripeWebhooks.failing.add(id);

    HttpResponse<String> failed = send(stripe("/hooks/stripe-tx", event(id)));

    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(paymentRows(id)).isZero();

    HttpResponse<String> retried = send(stripe("/hooks/stripe-tx", event(id)));
    HttpResponse<String> duplicate = send(stripe("/hooks/stripe-tx", event(id)));

    assertThat(retried.statusCode()).isEqualTo(200);
    assertThat(duplicate.statusCode()).isEqualTo(200);
    assertThat(duplicate.headers().firstValue("Idempotent-Replayed")).contains("true");
    assertThat(paymentRows(id)).isEqualTo(1);
    assertThat(runs.of("stripe-tx:" + id)).isEqualTo(2);
  }

  private int paymentRows(String id) {
    return jdbc.queryForObject(
        "SELECT COUNT(*) FROM webhook_payments WHERE event_id = ?", Integer.class, id);
  }

  @Test
  void aRegistrationBeanIsVerifiedByItsPropertiesEntry() throws Exception {
    String delivery = UUID.randomUUID().toString();
    String payload = "{\"zen\":\"Keep it logically awesome.\"}";
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String signature =
        "sha256=" + HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hooks/github"))
            .header("X-GitHub-Delivery", delivery)
            .header("X-GitHub-Hook-ID", "42")
            .header("X-GitHub-Event", "ping")
            .header("X-Hub-Signature-256", signature)
            .POST(HttpRequest.BodyPublishers.ofString(payload))
            .build();

    assertThat(send(request).statusCode()).isEqualTo(200);
    assertThat(send(request).statusCode()).isEqualTo(200);

    assertThat(runs.of("github:" + delivery)).isEqualTo(1);
  }

  @Test
  void otherPathsAreLeftToTheApplication() {
    HttpResponse<String> other = send(stripe("/hooks/stripe/other", event("evt_x")));

    assertThat(other.statusCode()).isEqualTo(404);
  }
}
