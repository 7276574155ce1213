package dev.idempo.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.IdempotencyKey;
import dev.idempo.Scope;
import dev.idempo.http.CapturedResponse;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.StorageKey;
import dev.idempo.store.tck.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a WebhookReceiver answers, and when its handler runs, on the in-memory store. */
class WebhookReceiverTest {
  private final MutableClock clock = MutableClock.start();
  private final InMemoryIdempotencyStore store =
      InMemoryIdempotencyStore.builder().clock(clock).build();
  private final CountingListener listener = new CountingListener();
  private final AtomicInteger runs = new AtomicInteger();

  private WebhookReceiver receiver(WebhookHandler handler) {
    return WebhookReceiver.builder(store)
        .endpoint(StripeDeliveries.PATH, StripeDeliveries.verifier(), handler)
        .listener(listener)
        .clock(clock)
        .lease(Duration.ofSeconds(30))
        .build();
  }

  private WebhookReceiver counting() {
    return receiver(event -> runs.incrementAndGet());
  }

  private static String body(CapturedResponse response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  @Test
  void theFirstDeliveryRunsTheHandlerAndADuplicateGets200WithoutRunningIt() {
    WebhookReceiver receiver = counting();
    CapturedResponse first = receiver.receive(StripeDeliveries.signed("evt_1", clock.instant()));
    assertEquals(200, first.status());
    assertEquals(List.of(), first.headers(WebhookReceiver.REPLAYED_HEADER));
    assertEquals(1, runs.get());

    clock.advance(Duration.ofSeconds(40)); // Stripe re-signs its retry with a new timestamp
    CapturedResponse retry = receiver.receive(StripeDeliveries.signed("evt_1", clock.instant()));
    assertEquals(200, retry.status());
    assertEquals(List.of("true"), retry.headers(WebhookReceiver.REPLAYED_HEADER));
    assertTrue(body(retry).contains("\"duplicate\":true"));
    assertEquals(1, runs.get());
    assertEquals(1, listener.count("duplicate"));
    assertEquals(2, listener.count("verified"));
    assertEquals(1, listener.count("handled"));

    receiver.receive(StripeDeliveries.signed("evt_2", clock.instant()));
    assertEquals(2, runs.get());
  }

  /** The opposite of the API default, where a 500 is stored and replayed. */
  @Test
  void aHandlerFailureAnswers500AndReleasesTheEventSoTheRetryRunsIt() {
    AtomicInteger attempts = new AtomicInteger();
    WebhookReceiver receiver =
        receiver(
            event -> {
              if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("database down");
              }
            });
    CapturedResponse failed = receiver.receive(StripeDeliveries.signed("evt_f", clock.instant()));
    assertEquals(500, failed.status());
    assertEquals("application/problem+json", failed.header("Content-Type").orElseThrow());
    assertTrue(body(failed).contains("urn:idempo:problem:webhook-handler-failed"));
    assertFalse(body(failed).contains("database down"), "no internals in the answer");
    assertTrue(store.find(storageKey("evt_f", "")).isEmpty(), "released, not stored");

    CapturedResponse retry = receiver.receive(StripeDeliveries.signed("evt_f", clock.instant()));
    assertEquals(200, retry.status());
    assertEquals(List.of(), retry.headers(WebhookReceiver.REPLAYED_HEADER));
    assertEquals(2, attempts.get());
    assertEquals(1, listener.count("handler-failure"));
  }

  @Test
  void aDuplicateWhileTheFirstIsRunningGets503WithRetryAfterAndDoesNotRun() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    WebhookReceiver receiver =
        receiver(
            event -> {
              runs.incrementAndGet();
              started.countDown();
              assertTrue(finish.await(10, TimeUnit.SECONDS));
            });
    CompletableFuture<CapturedResponse> first =
        CompletableFuture.supplyAsync(
            () -> receiver.receive(StripeDeliveries.signed("evt_slow", clock.instant())));
    assertTrue(started.await(10, TimeUnit.SECONDS));

    CapturedResponse duplicate =
        receiver.receive(StripeDeliveries.signed("evt_slow", clock.instant()));
    assertEquals(503, duplicate.status());
    long retryAfter = Long.parseLong(duplicate.header("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 30, "Retry-After " + retryAfter);
    assertTrue(body(duplicate).contains("webhook-in-flight"));

    finish.countDown();
    assertEquals(200, first.get(10, TimeUnit.SECONDS).status());
    assertEquals(1, runs.get());
    assertEquals(1, listener.count("duplicate-in-flight"));
  }

  @Test
  void refusedDeliveriesRecordNothing() {
    WebhookReceiver receiver = counting();
    WebhookRequest valid = StripeDeliveries.signed("evt_r", clock.instant());
    WebhookRequest forged =
        WebhookRequest.builder("POST", StripeDeliveries.PATH)
            .header(
                "Stripe-Signature",
                "t=" + clock.instant().getEpochSecond() + ",v1=" + "0".repeat(64))
            .body(StripeDeliveries.body("evt_r"))
            .build();
    CapturedResponse refused = receiver.receive(forged);
    assertEquals(401, refused.status());
    assertTrue(body(refused).contains("urn:idempo:problem:webhook-signature-mismatch"));
    assertTrue(store.find(storageKey("evt_r", "")).isEmpty());
    assertEquals(0, runs.get());

    assertEquals(200, receiver.receive(valid).status());
    assertEquals(1, runs.get());
    assertEquals(1, listener.count("refused:webhook-signature-mismatch"));
  }

  @Test
  void aCapturedDeliveryReplayedInsideTheToleranceIsDeduplicatedAndOutsideRefused() {
    WebhookReceiver receiver = counting();
    WebhookRequest captured = StripeDeliveries.signed("evt_replay", clock.instant());
    assertEquals(200, receiver.receive(captured).status());

    clock.advance(Duration.ofSeconds(299));
    CapturedResponse inside = receiver.receive(captured);
    assertEquals(200, inside.status());
    assertEquals(List.of("true"), inside.headers(WebhookReceiver.REPLAYED_HEADER));

    clock.advance(Duration.ofSeconds(2));
    CapturedResponse outside = receiver.receive(captured);
    assertEquals(401, outside.status());
    assertTrue(body(outside).contains("webhook-timestamp-stale"));
    assertEquals(1, runs.get());
  }

  @Test
  void unknownPathsOtherMethodsAndLargeBodiesAreRefusedAsProblems() {
    WebhookReceiver receiver =
        WebhookReceiver.builder(store)
            .endpoint(
                StripeDeliveries.PATH, StripeDeliveries.verifier(), event -> runs.incrementAndGet())
            .maxBodyBytes(64)
            .problemBase("https://errors.example.com/")
            .clock(clock)
            .build();
    CapturedResponse unknown =
        receiver.receive(WebhookRequest.builder("POST", "/hooks/other").body("{}").build());
    assertEquals(404, unknown.status());
    assertTrue(
        body(unknown).contains("\"type\":\"https://errors.example.com/webhook-endpoint-unknown\""));
    CapturedResponse get =
        receiver.receive(WebhookRequest.builder("GET", StripeDeliveries.PATH).build());
    assertEquals(405, get.status());
    assertEquals("POST", get.header("Allow").orElseThrow());
    WebhookRequest big = StripeDeliveries.signed("evt_" + "x".repeat(80), clock.instant());
    assertEquals(413, receiver.receive(big).status());
    assertEquals(0, runs.get());
  }

  @Test
  void aReceiverThatDiedMidEventLeavesItToTheSendersRetryAfterTheLease() {
    WebhookReceiver receiver = counting();
    // A receiver claimed evt_dead and died: its claim stays until the lease runs out.
    ClaimResult claim =
        store.claim(
            storageKey("evt_dead", ""),
            WebhookReceiver.EVENT,
            Duration.ofSeconds(30),
            WebhookReceiver.DEFAULT_RETENTION);
    assertInstanceOf(ClaimResult.Acquired.class, claim);

    assertEquals(
        503, receiver.receive(StripeDeliveries.signed("evt_dead", clock.instant())).status());
    assertEquals(0, runs.get());

    clock.advance(Duration.ofSeconds(31));
    CapturedResponse retry = receiver.receive(StripeDeliveries.signed("evt_dead", clock.instant()));
    assertEquals(200, retry.status());
    assertEquals(1, runs.get());
  }

  @Test
  void githubDeliveryIdsAreScopedByHook() {
    String secret = "gh-secret";
    WebhookReceiver receiver =
        WebhookReceiver.builder(store)
            .endpoint(
                "/hooks/github",
                GitHubVerifier.builder(Secret.of(secret)).build(),
                event -> runs.incrementAndGet())
            .clock(clock)
            .build();
    for (String hook : new String[] {"111", "222", "111"}) {
      String payload = "{\"zen\":\"Keep it logically awesome.\"}";
      WebhookRequest request =
          WebhookRequest.builder("POST", "/hooks/github")
              .header("X-GitHub-Delivery", "d-1")
              .header("X-GitHub-Hook-ID", hook)
              .header("X-Hub-Signature-256", Signing.gitHubHeader(secret, payload))
              .body(payload)
              .build();
      assertEquals(200, receiver.receive(request).status());
    }
    assertEquals(2, runs.get());
  }

  @Test
  void aListenerThatThrowsChangesNoAnswer() {
    WebhookReceiver receiver =
        WebhookReceiver.builder(store)
            .endpoint(
                StripeDeliveries.PATH, StripeDeliveries.verifier(), event -> runs.incrementAndGet())
            .listener(
                new WebhookListener() {
                  @Override
                  public void onVerified(String endpoint, String provider) {
                    throw new IllegalStateException("metrics down");
                  }
                })
            .clock(clock)
            .build();
    assertEquals(200, receiver.receive(StripeDeliveries.signed("evt_l", clock.instant())).status());
    assertEquals(1, runs.get());
  }

  @Test
  void theBuilderRefusesBadConfigurationLoudly() {
    WebhookReceiver.Builder builder = WebhookReceiver.builder(store);
    assertThrows(IllegalStateException.class, builder::build);
    assertThrows(
        IllegalArgumentException.class,
        () -> builder.endpoint("hooks", StripeDeliveries.verifier(), event -> {}));
    builder.endpoint("/a", StripeDeliveries.verifier(), event -> {});
    assertThrows(
        IllegalArgumentException.class,
        () -> builder.endpoint("/a", StripeDeliveries.verifier(), event -> {}));
    assertThrows(IllegalArgumentException.class, () -> builder.retention(Duration.ofDays(401)));
    assertThrows(IllegalArgumentException.class, () -> builder.maxBodyBytes(-1));
    IllegalStateException notJdbc =
        assertThrows(
            IllegalStateException.class,
            () ->
                WebhookReceiver.builder(store)
                    .transactionalEndpoint(
                        "/t",
                        StripeDeliveries.verifier(),
                        new org.sqlite.SQLiteDataSource(),
                        (event, connection) -> {})
                    .build());
    assertTrue(notJdbc.getMessage().contains("JdbcIdempotencyStore"), notJdbc.getMessage());
    assertEquals(
        Duration.ofDays(7),
        WebhookReceiver.builder(store)
            .endpoint("/a", StripeDeliveries.verifier(), event -> {})
            .build()
            .retention());
  }

  static StorageKey storageKey(String eventId, String source) {
    return Scope.of(source, "webhook stripe " + StripeDeliveries.PATH)
        .storageKey(IdempotencyKey.derive("webhook-event", eventId));
  }

  static Instant now() {
    return Instant.now();
  }
}
