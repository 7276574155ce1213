package dev.idempo.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.net.Webhook;
import dev.idempo.spring.micrometer.MicrometerWebhookListener;
import dev.idempo.spring.webhookproviders.EveryProviderApplication;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.testsupport.PayPalCertificate;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Every provider through the starter, in a real application on a random port: a valid delivery runs
 * its {@code @WebhookEndpoint} once, the provider's re-signed retry gets 200 at once without
 * running it, and a forgery gets a 401 problem, is counted by reason and records nothing. Secrets
 * and the PayPal certificate (made in the test) are read from files named in properties.
 */
@SpringBootTest(
    classes = EveryProviderApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "idempo.store.type=memory")
class WebhookProvidersTest {
  private static final String STRIPE_SECRET = "whsec_starter_every_provider";
  private static final String SW_KEY =
      Base64.getEncoder()
          .encodeToString("starter every provider, 32 bytes".getBytes(StandardCharsets.UTF_8));
  private static final String PLAIN_SECRET = "starter plain secret";
  private static final String PAYPAL_WEBHOOK = "WH-STARTER-TEST";
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static PayPalCertificate paypal;
  private static PayPalCertificate rogue;

  @LocalServerPort int port;
  @Autowired EveryProviderApplication.Handlers handlers;
  @Autowired IdempotencyStore store;
  @Autowired MeterRegistry meters;

  @DynamicPropertySource
  static void configure(DynamicPropertyRegistry properties) throws Exception {
    Path directory = Files.createTempDirectory("idempo-webhook-providers");
    directory.toFile().deleteOnExit();
    paypal = PayPalCertificate.generate(directory, "paypal", 30);
    rogue = PayPalCertificate.generate(directory, "rogue", 30);
    Path stripe = written(directory.resolve("stripe"), STRIPE_SECRET);
    Path standard = written(directory.resolve("sw"), "whsec_" + SW_KEY);
    Path plain = written(directory.resolve("plain"), PLAIN_SECRET);
    Path pem = paypal.writePem(directory.resolve("paypal.pem"));
    pem.toFile().deleteOnExit();
    List<String> entries =
        List.of(
            "/hooks/stripe=stripe:file:" + stripe,
            "/hooks/sw=standard-webhooks:file:" + standard,
            "/hooks/svix=svix:file:" + standard + ";provider=svix",
            "/hooks/github=github:file:" + plain,
            "/hooks/paypal=paypal:file:" + pem + ";webhook-id=" + PAYPAL_WEBHOOK,
            "/hooks/shop=hmac:file:"
                + plain
                + ";provider=shop;header=X-Shop-Hmac;encoding=base64"
                + ";timestamp-header=X-Shop-Time;payload={timestamp}.{body};event-id-field=id");
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i);
      properties.add("idempo.webhooks.endpoints[" + i + "]", () -> entry);
    }
  }

  private static Path written(Path file, String content) throws Exception {
    Files.writeString(file, content);
    file.toFile().deleteOnExit();
    return file;
  }

  enum Provider {
    STRIPE("/hooks/stripe", "stripe"),
    STANDARD_WEBHOOKS("/hooks/sw", "standard-webhooks"),
    SVIX("/hooks/svix", "svix"),
    GITHUB("/hooks/github", "github"),
    PAYPAL("/hooks/paypal", "paypal"),
    GENERIC_HMAC("/hooks/shop", "shop");

    final String path;
    final String name;

    Provider(String path, String name) {
      this.path = path;
      this.name = name;
    }
  }

  private static String hmac(byte[] key, String message, boolean base64) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    byte[] digest = mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    return base64 ? Base64.getEncoder().encodeToString(digest) : HexFormat.of().formatHex(digest);
  }

  /** The {@code attempt}'th delivery of {@code eventId}, signed now (or forged). */
  private HttpRequest delivery(Provider provider, String eventId, int attempt, boolean forged)
      throws Exception {
    String body = "{\"id\":\"" + eventId + "\",\"attempt\":" + attempt + "}";
    Instant now = Instant.now();
    long t = now.getEpochSecond();
    byte[] plain = (forged ? "forged" : PLAIN_SECRET).getBytes(StandardCharsets.UTF_8);
    byte[] standard = Base64.getDecoder().decode(forged ? "AAAAAAAAAAAA" : SW_KEY);
    Map<String, String> headers = new LinkedHashMap<>();
    switch (provider) {
      case STRIPE ->
          headers.put(
              "Stripe-Signature",
              Webhook.Signature.generateSignatureHeader(
                  body, forged ? "whsec_forged" : STRIPE_SECRET, t));
      case STANDARD_WEBHOOKS, SVIX -> {
        String prefix = provider == Provider.SVIX ? "svix-" : "webhook-";
        headers.put(prefix + "id", eventId);
        headers.put(prefix + "timestamp", Long.toString(t));
        headers.put(
            prefix + "signature", "v1," + hmac(standard, eventId + "." + t + "." + body, true));
      }
      case GITHUB -> {
        headers.put("X-GitHub-Delivery", eventId);
        headers.put("X-GitHub-Hook-ID", "42");
        headers.put("X-GitHub-Event", "push");
        headers.put("X-Hub-Signature-256", "sha256=" + hmac(plain, body, false));
      }
      case PAYPAL ->
          headers.putAll(
              (forged ? rogue : paypal)
                  .headers("tx-" + attempt + "-" + eventId, now, PAYPAL_WEBHOOK, body));
      case GENERIC_HMAC -> {
        headers.put("X-Shop-Time", Long.toString(t));
        headers.put("X-Shop-Hmac", hmac(plain, t + "." + body, true));
      }
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + provider.path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    headers.forEach(request::header);
    return request.build();
  }

  private static HttpResponse<String> send(HttpRequest request) throws Exception {
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private double refused(Provider provider) {
    Counter counter =
        meters
            .find(MicrometerWebhookListener.REFUSED)
            .tags("endpoint", provider.path, "reason", "webhook-signature-mismatch")
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private List<String> runsOf(String key) {
    return handlers.runs.stream().filter(key::equals).toList();
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void aValidDeliveryRunsOnceItsRetryIsAnsweredAtOnceAndAForgeryRecordsNothing(Provider provider)
      throws Exception {
    String id = "evt_" + UUID.randomUUID();
    String key = provider.name + ":" + id;

    HttpResponse<String> first = send(delivery(provider, id, 1, false));
    HttpResponse<String> retry = send(delivery(provider, id, 2, false));

    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
    assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
    assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
    assertThat(runsOf(key)).hasSize(1);

    String forgedId = "evt_" + UUID.randomUUID();
    int recorded = ((InMemoryIdempotencyStore) store).size();
    double refusedBefore = refused(provider);
    HttpResponse<String> forged = send(delivery(provider, forgedId, 1, true));

    assertThat(forged.statusCode()).as(forged.body()).isEqualTo(401);
    assertThat(forged.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(((InMemoryIdempotencyStore) store).size()).isEqualTo(recorded);
    assertThat(refused(provider)).isEqualTo(refusedBefore + 1);
    assertThat(runsOf(provider.name + ":" + forgedId)).isEmpty();
    // Nothing was recorded: the genuine delivery of that event still runs.
    HttpResponse<String> genuine = send(delivery(provider, forgedId, 1, false));
    assertThat(genuine.statusCode()).as(genuine.body()).isEqualTo(200);
    assertThat(runsOf(provider.name + ":" + forgedId)).hasSize(1);
  }
}
