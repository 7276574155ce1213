package dev.idempo.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What is particular to the gateway, through an in-process gateway on a real socket in front of a
 * real upstream, on the in-memory store: forwarding, configured methods and tenants, streaming and
 * upstream failures. The rows of the HTTP contract every adapter passes are in {@link
 * GatewayHttpContractTest}.
 */
class GatewayTest {
  private final List<AutoCloseable> closing = new ArrayList<>();
  private TestUpstream upstream;
  private CountingStore store;

  @BeforeEach
  void startUpstream() throws IOException {
    upstream = TestUpstream.start();
    closing.add(upstream);
    store = new CountingStore();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private Requests gateway(Consumer<GatewayConfig.Builder> settings) {
    GatewayConfig.Builder config =
        TestEngine.builder(upstream.uri()).listen("127.0.0.1", 0).store(store);
    settings.accept(config);
    Gateway gateway = new Gateway(config.build());
    closing.add(gateway);
    gateway.start();
    return new Requests(gateway.uri());
  }

  private Requests gateway() {
    return gateway(config -> {});
  }

  @Test
  void theKeyIsForwardedUpstreamWithTheBodyAndContentTypeUnchanged() throws Exception {
    Requests gateway = gateway();

    HttpResponse<String> response =
        gateway.post(
            "/orders/a%2Fb?x=1+2&y=%20z",
            "\"quoted-key\"", "{\"amount\":10}", "Content-Type", "application/json; charset=utf-8");

    assertEquals(201, response.statusCode(), response.body());
    TestUpstream.Received received = upstream.last();
    assertEquals("POST", received.method());
    assertEquals("/orders/a%2Fb?x=1+2&y=%20z", received.pathAndQuery());
    assertEquals("\"quoted-key\"", received.header("Idempotency-Key"));
    assertEquals("application/json; charset=utf-8", received.header("Content-Type"));
    assertEquals("13", received.header("Content-Length"));
    assertEquals(
        "{\"amount\":10}", new String(received.body(), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void noContentTypeIsAddedWhenTheCallerSentNone() throws Exception {
    Requests gateway = gateway();

    gateway.post("/orders", "key-plain", "raw");

    assertNull(upstream.last().header("Content-Type"));
    assertEquals(
        "raw", new String(upstream.last().body(), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void safeAndUnguardedMethodsNeverTouchTheStore() throws Exception {
    Requests gateway = gateway();

    HttpResponse<String> get1 = gateway.send("GET", "/orders/1", "key-get", null);
    HttpResponse<String> get2 = gateway.send("GET", "/orders/1", "key-get", null);
    HttpResponse<String> put1 = gateway.send("PUT", "/orders/1", "key-put", "{}");
    HttpResponse<String> put2 = gateway.send("PUT", "/orders/1", "key-put", "{}");
    HttpResponse<String> head = gateway.send("HEAD", "/orders/1", null, null);

    assertEquals(
        List.of(201, 201, 201, 201, 201),
        List.of(
            get1.statusCode(),
            get2.statusCode(),
            put1.statusCode(),
            put2.statusCode(),
            head.statusCode()));
    assertTrue(get2.headers().firstValue("Idempotent-Replayed").isEmpty());
    assertEquals(5, upstream.executions(), "each passed through to the upstream");
    assertEquals(0, store.calls(), "no store access");
    assertEquals(
        "{}",
        new String(upstream.received().get(2).body(), java.nio.charset.StandardCharsets.UTF_8),
        "a passed-through body is streamed upstream");
  }

  @Test
  void theConfiguredMethodsAreGuarded() throws Exception {
    Requests gateway = gateway(config -> config.methods(List.of("PUT")));

    gateway.send("PUT", "/orders/1", "key-put", "{}");
    HttpResponse<String> retry = gateway.send("PUT", "/orders/1", "key-put", "{}");
    gateway.post("/orders", "key-post", "{}");
    gateway.post("/orders", "key-post", "{}");

    assertEquals(Optional.of("true"), retry.headers().firstValue("Idempotent-Replayed"));
    assertEquals(3, upstream.executions(), "PUT once, POST (no longer guarded) twice");
  }

  @Test
  void aDuplicateWaitsForTheRunningRequestAndReplaysIt() throws Exception {
    // Latch-driven: the first request holds the upstream until released, and the duplicate is
    // known to have claimed (and met the key in flight) before the release, however slow the
    // machine.
    Requests gateway = gateway(config -> config.waitForInFlight(Duration.ofSeconds(30)));
    CompletableFuture<HttpResponse<String>> first = gateway.postAsync("/hang", "key-w", "{}");
    awaitExecutions(1);
    int callsBeforeDuplicate = store.calls();

    CompletableFuture<HttpResponse<String>> duplicate = gateway.postAsync("/hang", "key-w", "{}");
    await().atMost(Duration.ofSeconds(30)).until(() -> store.calls() > callsBeforeDuplicate);
    assertFalse(duplicate.isDone(), "the duplicate waits while the first runs");
    upstream.releaseHanging();

    HttpResponse<String> firstResponse = first.get(30, TimeUnit.SECONDS);
    HttpResponse<String> replay = duplicate.get(30, TimeUnit.SECONDS);
    assertEquals(201, replay.statusCode(), replay.body());
    assertEquals(Optional.of("true"), replay.headers().firstValue("Idempotent-Replayed"));
    assertEquals(firstResponse.body(), replay.body());
    assertEquals(1, upstream.executions());
  }

  @Test
  void keysAreScopedByAuthorizationOrByTheTenantHeader() throws Exception {
    Requests byAuthorization = gateway();
    byAuthorization.post("/orders", "key-t", "{}", "Authorization", "Bearer alice");
    byAuthorization.post("/orders", "key-t", "{}", "Authorization", "Bearer bob");
    HttpResponse<String> aliceAgain =
        byAuthorization.post("/orders", "key-t", "{}", "Authorization", "Bearer alice");
    assertEquals(2, upstream.executions(), "one caller's key never replays another's response");
    assertEquals("{\"execution\":1}", aliceAgain.body());

    Requests byTenant = gateway(config -> config.tenantHeader("X-Tenant"));
    byTenant.post("/orders", "key-u", "{}", "X-Tenant", "t1");
    byTenant.post("/orders", "key-u", "{}", "X-Tenant", "t2");
    HttpResponse<String> t1Again =
        byTenant.post("/orders", "key-u", "{}", "X-Tenant", "t1", "Authorization", "Bearer x");
    assertEquals(4, upstream.executions());
    assertEquals(Optional.of("true"), t1Again.headers().firstValue("Idempotent-Replayed"));
  }

  @Test
  void aResponseOverTheLimitIsDeliveredAndItsRetryGetsAProblem() throws Exception {
    Requests gateway = gateway(config -> config.maxResponseBodyBytes(1024));

    HttpResponse<byte[]> first =
        gateway.sendForBytes(gateway.request("POST", "/large/50000", "key-l", "{}"));
    HttpResponse<String> retry = gateway.post("/large/50000", "key-l", "{}");

    assertEquals(200, first.statusCode());
    assertEquals(50000, first.body().length, "the first caller gets the whole response");
    assertProblem(retry, 500, "response-too-large");
    assertEquals(Optional.of("true"), retry.headers().firstValue("Idempotent-Replayed"));
    assertEquals(1, upstream.executions(), "never a second execution");
  }

  @Test
  void aLargeResponseWithinTheLimitStreamsAndReplaysWhole() throws Exception {
    Requests gateway = gateway();

    HttpResponse<byte[]> first =
        gateway.sendForBytes(gateway.request("POST", "/large/300000", "key-big", "{}"));
    HttpResponse<byte[]> retry =
        gateway.sendForBytes(gateway.request("POST", "/large/300000", "key-big", "{}"));

    assertEquals(300000, first.body().length);
    assertArrayEquals(first.body(), retry.body());
    assertEquals(Optional.of("true"), retry.headers().firstValue("Idempotent-Replayed"));
    assertEquals(1, upstream.executions());
  }

  @Test
  void aRefusedUpstreamIs502AndReleasedSoARetryForwardsOnceItIsBack() throws Exception {
    int port = upstream.port();
    upstream.close();
    Requests gateway = gateway(config -> {});

    HttpResponse<String> refused = gateway.post("/orders", "key-r", "{}");
    assertProblem(refused, 502, "upstream-unavailable");

    TestUpstream back = TestUpstream.start(port);
    closing.add(back);
    HttpResponse<String> retry = gateway.post("/orders", "key-r", "{}");
    assertEquals(201, retry.statusCode());
    assertTrue(retry.headers().firstValue("Idempotent-Replayed").isEmpty());
    assertEquals(1, back.executions());
  }

  @Test
  void anUpstreamTimeoutIsAnUnknownOutcomeReplayedToEveryRetry() throws Exception {
    Requests gateway = gateway(config -> config.upstreamTimeout(Duration.ofMillis(300)));

    HttpResponse<String> first = gateway.post("/hang", "key-h", "{}");
    upstream.releaseHanging();
    HttpResponse<String> retry = gateway.post("/hang", "key-h", "{}");

    assertProblem(first, 502, "outcome-unknown");
    assertProblem(retry, 502, "outcome-unknown");
    assertEquals(1, upstream.executions(), "never a second forward");
  }

  @Test
  void aConnectionLostAfterSendingIsAnUnknownOutcome() throws Exception {
    Requests gateway = gateway();

    HttpResponse<String> first = gateway.post("/close", "key-x", "{}");
    HttpResponse<String> retry = gateway.post("/close", "key-x", "{}");

    assertProblem(first, 502, "outcome-unknown");
    assertProblem(retry, 502, "outcome-unknown");
    assertEquals(1, upstream.executions());
  }

  @Test
  void aResponseCutShortIsAnUnknownOutcome() throws Exception {
    Requests gateway = gateway();

    HttpResponse<String> first = gateway.post("/truncated", "key-cut", "{}");
    HttpResponse<String> retry = gateway.post("/truncated", "key-cut", "{}");

    assertProblem(first, 502, "outcome-unknown");
    assertProblem(retry, 502, "outcome-unknown");
    assertEquals(1, upstream.executions());
  }

  @Test
  void withReexecuteATimedOutRequestIsForwardedAgainWithTheSameKey() throws Exception {
    Requests gateway =
        gateway(
            config ->
                config
                    .upstreamTimeout(Duration.ofMillis(300))
                    .onUnknownOutcome(OnUnknownOutcome.REEXECUTE));

    HttpResponse<String> first = gateway.post("/hang", "key-re", "{}");
    upstream.releaseHanging();
    HttpResponse<String> retry = gateway.post("/hang", "key-re", "{}");

    assertProblem(first, 504, "upstream-timeout");
    assertEquals(201, retry.statusCode());
    assertEquals(2, upstream.executions());
    assertEquals("key-re", upstream.received().get(0).header("Idempotency-Key"));
    assertEquals("key-re", upstream.received().get(1).header("Idempotency-Key"));
  }

  private void awaitExecutions(int count) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertTrue(
                    upstream.executions() >= count,
                    "the upstream saw "
                        + upstream.executions()
                        + " request(s), expected "
                        + count));
  }

  static void assertProblem(HttpResponse<String> response, int status, String slug) {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(
        Optional.of("application/problem+json"),
        response.headers().firstValue("Content-Type"),
        response.body());
    assertTrue(
        response.body().contains("\"type\":\"urn:idempo:problem:" + slug + "\""), response.body());
    assertFalse(response.body().isEmpty());
  }
}
