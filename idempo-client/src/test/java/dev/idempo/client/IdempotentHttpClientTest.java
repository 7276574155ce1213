package dev.idempo.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.IdempotencyKey;
import dev.idempo.client.RetryPolicy.GiveUpReason;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The synchronous path against a real local server with scripted faults. */
class IdempotentHttpClientTest {
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final TestServer server = TestServer.start();
  private final FakeClock clock = new FakeClock();
  private final RecordingSleeper sleeper = new RecordingSleeper(clock);

  @AfterEach
  void stopServer() {
    server.close();
  }

  private RetryPolicy.Builder policy(int maxAttempts) {
    return RetryPolicy.builder().maxAttempts(maxAttempts).clock(clock).sleeper(sleeper);
  }

  private IdempotentHttpClient client(RetryPolicy policy) {
    return IdempotentHttpClient.builder().httpClient(HTTP).retryPolicy(policy).build();
  }

  private HttpRequest post(String json) {
    return HttpRequest.newBuilder(server.uri("/charges"))
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(json))
        .build();
  }

  @Test
  void postGetsAUuidV4KeyThatEveryRetryReuses() throws Exception {
    server.script(TestServer.Reply.unavailable("0"), TestServer.Reply.status(502, "bad gateway"));

    IdempotentResponse<String> response =
        client(policy(3).build()).send(post("{\"amount\":1}"), BodyHandlers.ofString());

    assertEquals(201, response.statusCode());
    assertEquals(3, response.attempts());
    List<String> keys = server.keysSeen();
    assertEquals(3, keys.size());
    assertEquals(Collections.nCopies(3, keys.get(0)), keys, "one key for every attempt");
    UUID uuid = UUID.fromString(keys.get(0));
    assertEquals(4, uuid.version());
    assertEquals(keys.get(0), response.key().orElseThrow().value());
    assertEquals(
        keys.get(0),
        response.response().request().headers().firstValue("Idempotency-Key").orElseThrow());
    assertFalse(response.replayed());
    assertTrue(response.giveUpReason().isEmpty());
  }

  @Test
  void eachLogicalCallGetsItsOwnKey() throws Exception {
    IdempotentHttpClient client = client(policy(3).build());
    client.send(post("{}"), BodyHandlers.ofString());
    client.send(post("{}"), BodyHandlers.ofString());

    List<String> keys = server.keysSeen();
    assertEquals(2, keys.size());
    assertFalse(keys.get(0).equals(keys.get(1)), "two logical calls, two keys: " + keys);
    assertEquals(2, server.effects());
  }

  @Test
  void responseLostAfterTheServerChargedIsRetriedAndReplayedNotChargedTwice() throws Exception {
    server.script(TestServer.Reply.dropAfterEffect());

    IdempotentResponse<String> response =
        client(policy(3).build()).send(post("{\"amount\":2000}"), BodyHandlers.ofString());

    assertEquals(201, response.statusCode());
    assertEquals(2, response.attempts());
    assertTrue(response.replayed(), "the second attempt is answered from the server's store");
    assertEquals("{\"charge\":\"ch_1\"}", response.body());
    assertEquals(1, server.effects(), "charged exactly once");
    assertEquals(server.keysSeen().get(0), server.keysSeen().get(1));
    assertEquals(1, sleeper.delays().size());
  }

  @Test
  void patchGetsAKeyToo() throws Exception {
    HttpRequest patch =
        HttpRequest.newBuilder(server.uri("/charges/ch_1"))
            .method("PATCH", BodyPublishers.ofString("{}"))
            .build();
    IdempotentResponse<String> response =
        client(policy(1).build()).send(patch, BodyHandlers.ofString());
    assertTrue(response.key().isPresent());
    assertEquals(response.key().get().value(), server.keysSeen().get(0));
  }

  @Test
  void serviceUnavailableWithRetryAfterWaitsExactlyThatLong() throws Exception {
    server.script(TestServer.Reply.unavailable("7"));

    IdempotentResponse<String> response =
        client(policy(3).build()).send(post("{}"), BodyHandlers.ofString());

    assertEquals(201, response.statusCode());
    assertEquals(List.of(Duration.ofSeconds(7)), sleeper.delays());
  }

  @Test
  void everyRetryableStatusIsRetried() throws Exception {
    for (int status : new int[] {408, 425, 429, 500, 502, 503, 504}) {
      server.script(TestServer.Reply.status(status, "try again"));
      IdempotentResponse<String> response =
          client(policy(2).build()).send(post("{}"), BodyHandlers.ofString());
      assertEquals(201, response.statusCode(), "after " + status);
      assertEquals(2, response.attempts(), "after " + status);
    }
  }

  @Test
  void keyInFlightConflictIsRetried() throws Exception {
    server.script(TestServer.Reply.keyInFlight(), TestServer.Reply.stripeKeyInUse());

    IdempotentResponse<String> response =
        client(policy(3).build()).send(post("{}"), BodyHandlers.ofString());

    assertEquals(201, response.statusCode());
    assertEquals(3, response.attempts());
    assertEquals(
        Duration.ofSeconds(1), sleeper.delays().get(0), "Idempo's 409 carries Retry-After: 1");
  }

  @Test
  void businessConflictIsNotRetriedAndReachesTheCaller() throws Exception {
    server.script(TestServer.Reply.businessConflict());

    IdempotentResponse<String> response =
        client(policy(3).build()).send(post("{}"), BodyHandlers.ofString());

    assertEquals(409, response.statusCode());
    assertEquals(1, response.attempts());
    assertTrue(response.body().contains("order-already-shipped"), response.body());
    assertEquals(1, server.requests());
    assertTrue(response.giveUpReason().isEmpty());
  }

  @Test
  void keyReusedWithAnotherPayloadGets422AndIsNotRetried() throws Exception {
    IdempotentHttpClient client = client(policy(3).build());
    CallOptions sameKey = CallOptions.key(IdempotencyKey.of("order-1234"));
    assertEquals(
        201, client.send(post("{\"amount\":1}"), BodyHandlers.ofString(), sameKey).statusCode());

    IdempotentResponse<String> mismatch =
        client.send(post("{\"amount\":2}"), BodyHandlers.ofString(), sameKey);

    assertEquals(422, mismatch.statusCode());
    assertEquals(1, mismatch.attempts());
    assertEquals(2, server.requests());
    assertEquals(1, server.effects());
    assertTrue(sleeper.delays().isEmpty());
  }

  @Test
  void otherClientErrorsAreNeverRetried() throws Exception {
    for (int status : new int[] {400, 401, 403, 404, 410, 413, 422}) {
      server.script(TestServer.Reply.status(status, "no", "Retry-After", "1"));
      IdempotentResponse<String> response =
          client(policy(5).build()).send(post("{}"), BodyHandlers.ofString());
      assertEquals(status, response.statusCode());
      assertEquals(1, response.attempts(), "status " + status);
    }
    assertEquals(7, server.requests());
    assertTrue(sleeper.delays().isEmpty());
  }

  @Test
  void retriesRunOutOnAStatusAndTheLastResponseIsReturned() throws Exception {
    server.script(
        TestServer.Reply.unavailable("1"),
        TestServer.Reply.unavailable("2"),
        TestServer.Reply.status(503, "still down"));

    IdempotentResponse<String> response =
        client(policy(3).build()).send(post("{}"), BodyHandlers.ofString());

    assertEquals(503, response.statusCode());
    assertEquals("still down", response.body());
    assertEquals(3, response.attempts());
    assertEquals(GiveUpReason.MAX_ATTEMPTS, response.giveUpReason().orElseThrow());
    assertEquals(0, server.effects());
  }

  @Test
  void theFinalBufferedAnswerReachesTheCallersStreamingHandler() throws Exception {
    server.script(
        TestServer.Reply.status(503, "first"), TestServer.Reply.status(503, "second body"));

    IdempotentResponse<InputStream> response =
        client(policy(2).build()).send(post("{}"), BodyHandlers.ofInputStream());

    try (InputStream body = response.body()) {
      assertEquals("second body", new String(body.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertEquals(503, response.statusCode());
  }

  @Test
  void anEmptyFinalAnswerReachesTheCallersHandler() throws Exception {
    server.script(TestServer.Reply.status(503, ""), TestServer.Reply.status(503, ""));
    IdempotentResponse<byte[]> response =
        client(policy(2).build()).send(post("{}"), BodyHandlers.ofByteArray());
    assertEquals(0, response.body().length);
  }

  @Test
  void connectionFailuresExhaustRetriesWithAClearMessage() throws Exception {
    URI closed = URI.create("http://127.0.0.1:" + freePort() + "/charges");
    HttpRequest request =
        HttpRequest.newBuilder(closed).POST(BodyPublishers.ofString("{}")).build();

    RetriesExhaustedException e =
        assertThrows(
            RetriesExhaustedException.class,
            () -> client(policy(3).build()).send(request, BodyHandlers.ofString()));

    assertEquals(3, e.attempts());
    assertEquals(GiveUpReason.MAX_ATTEMPTS, e.reason());
    assertInstanceOf(ConnectException.class, e.getCause());
    assertTrue(e.getMessage().contains("failed after 3 attempts"), e.getMessage());
    assertTrue(e.getMessage().contains("MAX_ATTEMPTS"), e.getMessage());
    assertTrue(e.getMessage().contains("POST " + closed), e.getMessage());
    assertTrue(e.getMessage().contains(e.key().orElseThrow().value()), e.getMessage());
    assertEquals(2, sleeper.delays().size());
  }

  @Test
  void aTimedOutAttemptIsRetriedWithTheSameKey() throws Exception {
    // The one test where real time passes: the HTTP client's own request timer.
    server.script(TestServer.Reply.hang());
    HttpRequest request =
        HttpRequest.newBuilder(server.uri("/charges"))
            .timeout(Duration.ofMillis(300))
            .POST(BodyPublishers.ofString("{}"))
            .build();

    IdempotentResponse<String> response =
        client(policy(2).build()).send(request, BodyHandlers.ofString());

    assertEquals(201, response.statusCode());
    assertEquals(2, response.attempts());
    assertEquals(server.keysSeen().get(0), server.keysSeen().get(1));
  }

  @Test
  void timeoutsExhaustRetriesAsHttpTimeoutException() throws Exception {
    server.script(TestServer.Reply.hang());
    HttpRequest request =
        HttpRequest.newBuilder(server.uri("/charges"))
            .timeout(Duration.ofMillis(200))
            .POST(BodyPublishers.ofString("{}"))
            .build();

    RetriesExhaustedException e =
        assertThrows(
            RetriesExhaustedException.class,
            () -> client(policy(1).build()).send(request, BodyHandlers.ofString()));

    assertInstanceOf(HttpTimeoutException.class, e.getCause());
    assertEquals(1, e.attempts());
    assertTrue(e.getMessage().contains("failed after 1 attempt;"), e.getMessage());
  }

  @Test
  void aMethodOutsideTheSetWithoutAKeyIsNeverRetried() throws Exception {
    IdempotentHttpClient patchOnly =
        IdempotentHttpClient.builder()
            .httpClient(HTTP)
            .retryPolicy(policy(3).build())
            .methods(Set.of("PATCH"))
            .build();
    server.script(TestServer.Reply.unavailable("1"));

    IdempotentResponse<String> response = patchOnly.send(post("{}"), BodyHandlers.ofString());

    assertEquals(503, response.statusCode());
    assertEquals(1, response.attempts());
    assertTrue(response.key().isEmpty());
    assertNull(server.keysSeen().get(0), "no key was sent");
    assertTrue(response.giveUpReason().isEmpty(), "not a give-up: never eligible");

    URI closed = URI.create("http://127.0.0.1:" + freePort() + "/charges");
    HttpRequest refused =
        HttpRequest.newBuilder(closed).POST(BodyPublishers.ofString("{}")).build();
    IOException e =
        assertThrows(IOException.class, () -> patchOnly.send(refused, BodyHandlers.ofString()));
    assertInstanceOf(ConnectException.class, e, "the original failure, not retried");
    assertTrue(sleeper.delays().isEmpty());
  }

  @Test
  void idempotentMethodsAreRetriedWithoutAKey() throws Exception {
    server.script(TestServer.Reply.unavailable("0"), TestServer.Reply.unavailable("0"));
    IdempotentHttpClient client = client(policy(5).build());

    IdempotentResponse<String> get =
        client.send(
            HttpRequest.newBuilder(server.uri("/charges/ch_1")).GET().build(),
            BodyHandlers.ofString());
    server.script(TestServer.Reply.unavailable("0"));
    IdempotentResponse<String> put =
        client.send(
            HttpRequest.newBuilder(server.uri("/charges/ch_1"))
                .PUT(BodyPublishers.ofString("{}"))
                .build(),
            BodyHandlers.ofString());

    assertEquals(3, get.attempts());
    assertEquals(2, put.attempts());
    assertTrue(get.key().isEmpty());
    assertTrue(put.key().isEmpty());
    assertTrue(server.keysSeen().stream().allMatch(key -> key == null), "GET and PUT carry no key");
  }

  @Test
  void theCallersKeyIsUsedWhateverTheMethod() throws Exception {
    IdempotencyKey key = IdempotencyKey.of("caller-key-1");
    server.script(TestServer.Reply.unavailable("0"));

    IdempotentResponse<String> response =
        client(policy(2).build())
            .send(
                HttpRequest.newBuilder(server.uri("/x")).PUT(BodyPublishers.ofString("{}")).build(),
                BodyHandlers.ofString(),
                CallOptions.key(key));

    assertEquals(key, response.key().orElseThrow());
    assertEquals(List.of("caller-key-1", "caller-key-1"), server.keysSeen());
  }

  @Test
  void aDerivedKeyIsTheSameForTheSameBusinessId() throws Exception {
    IdempotentHttpClient client = client(policy(1).build());
    client.send(post("{}"), BodyHandlers.ofString(), CallOptions.derivedKey("checkout", "cart-77"));
    IdempotentResponse<String> again =
        client.send(
            post("{}"), BodyHandlers.ofString(), CallOptions.derivedKey("checkout", "cart-77"));

    assertEquals(IdempotencyKey.derive("checkout", "cart-77").value(), server.keysSeen().get(0));
    assertEquals(server.keysSeen().get(0), server.keysSeen().get(1));
    assertTrue(again.replayed());
    assertEquals(1, server.effects());
  }

  @Test
  void aKeyHeaderAlreadyOnTheRequestIsKeptAndRetried() throws Exception {
    server.script(TestServer.Reply.dropAfterEffect());
    HttpRequest request =
        HttpRequest.newBuilder(server.uri("/charges"))
            .header("Idempotency-Key", "\"from-header\"")
            .POST(BodyPublishers.ofString("{}"))
            .build();

    IdempotentResponse<String> response =
        client(policy(2).build()).send(request, BodyHandlers.ofString());

    assertEquals(
        "from-header", response.key().orElseThrow().value(), "an sf-string names the bare key");
    assertEquals(
        List.of("\"from-header\"", "\"from-header\""),
        server.keysSeen(),
        "the header is sent as given");
    assertEquals(1, server.effects());
  }

  @Test
  void aKeyHeaderThatContradictsTheOptionsIsRefused() {
    HttpRequest request =
        HttpRequest.newBuilder(server.uri("/charges"))
            .header("Idempotency-Key", "a")
            .POST(BodyPublishers.ofString("{}"))
            .build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                client(policy(1).build())
                    .send(
                        request, BodyHandlers.ofString(), CallOptions.key(IdempotencyKey.of("b"))));
    assertTrue(e.getMessage().contains("differs"), e.getMessage());
    assertEquals(0, server.requests());
  }

  @Test
  void twoKeyHeadersAreRefused() {
    HttpRequest request =
        HttpRequest.newBuilder(server.uri("/charges"))
            .header("Idempotency-Key", "a")
            .header("Idempotency-Key", "b")
            .POST(BodyPublishers.ofString("{}"))
            .build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> client(policy(1).build()).send(request, BodyHandlers.ofString()));
    assertTrue(e.getMessage().contains("2 Idempotency-Key headers"), e.getMessage());
  }

  @Test
  void theKeyGeneratorIsCalledOncePerLogicalCall() throws Exception {
    int[] calls = {0};
    IdempotentHttpClient client =
        IdempotentHttpClient.builder()
            .httpClient(HTTP)
            .retryPolicy(policy(3).build())
            .keyGenerator(() -> IdempotencyKey.of("generated-" + ++calls[0]))
            .build();
    server.script(TestServer.Reply.unavailable("0"), TestServer.Reply.unavailable("0"));

    client.send(post("{}"), BodyHandlers.ofString());

    assertEquals(1, calls[0]);
    assertEquals(List.of("generated-1", "generated-1", "generated-1"), server.keysSeen());
  }

  @Test
  void aKeyGeneratorReturningNullIsReported() {
    IdempotentHttpClient client =
        IdempotentHttpClient.builder()
            .httpClient(HTTP)
            .retryPolicy(policy(1).build())
            .keyGenerator(() -> null)
            .build();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> client.send(post("{}"), BodyHandlers.ofString()));
    assertTrue(e.getMessage().contains("key generator returned null"), e.getMessage());
  }

  @Test
  void postJsonSendsJsonWithAKey() throws Exception {
    IdempotentResponse<String> response =
        client(policy(1).build()).postJson(server.uri("/charges"), "{\"amount\":5}");
    assertEquals(201, response.statusCode());
    assertEquals("{\"amount\":5}", server.seen().get(0).body());
    assertNotNull(server.keysSeen().get(0));
  }

  @Test
  void anOperationIdWithoutAJournalIsRefusedBeforeSending() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                client(policy(1).build())
                    .send(post("{}"), BodyHandlers.ofString(), CallOptions.operationId("job-1")));
    assertTrue(
        e.getMessage().contains("job-1") && e.getMessage().contains("journal"), e.getMessage());
    assertEquals(0, server.requests());
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
