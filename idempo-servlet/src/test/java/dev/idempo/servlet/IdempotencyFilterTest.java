package dev.idempo.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.IdempotencyListener;
import dev.idempo.StoreCall;
import dev.idempo.http.IdempotencyRoute;
import dev.idempo.http.RequestFingerprinter;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.tck.OutageStore;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The filter in a real Jetty 12 servlet container, over real HTTP: what is particular to the filter
 * (capture limits, flushing, async and failing handlers, form parameters, configuration). The rows
 * of the HTTP contract every adapter passes are in {@link ServletHttpContractTest}.
 */
class IdempotencyFilterTest {
  private static final String PROBLEM = "application/problem+json";
  private static final TestApp app = new TestApp();
  private static final OutageStore store = new OutageStore(InMemoryIdempotencyStore.create());

  /** Counted down on every claim, so a test can see a duplicate waiting. */
  private static final AtomicReference<CountDownLatch> claims =
      new AtomicReference<>(new CountDownLatch(0));

  private static final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private static JettyServer server;

  @BeforeAll
  static void start() throws Exception {
    IdempotencyFilter filter =
        IdempotencyFilter.builder(store)
            .route(
                IdempotencyRoute.builder(
                        "/payments/**",
                        "/flaky",
                        "/fail",
                        "/big",
                        "/bigtext",
                        "/flush",
                        "/async",
                        "/throw",
                        "/form",
                        "/echo",
                        "/error")
                    .name("api")
                    .build())
            .route(IdempotencyRoute.builder("/slow").name("slow").build())
            .route(
                IdempotencyRoute.builder("/wait")
                    .name("wait")
                    .waitForInFlight(Duration.ofSeconds(20))
                    .build())
            .route(
                IdempotencyRoute.builder("/optional")
                    .name("optional")
                    .keyRequired(false)
                    .fingerprinter(RequestFingerprinter.CANONICAL_JSON)
                    .build())
            .maxRequestBodyBytes(2048)
            .maxResponseBodyBytes(1024)
            .listener(
                new IdempotencyListener() {
                  @Override
                  public void onStoreCall(StoreCall call, long nanos, Throwable failure) {
                    if (call == StoreCall.CLAIM) {
                      claims.get().countDown();
                    }
                  }
                })
            .build();
    server = new JettyServer(filter, app);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  // Helpers.

  private static String newCase() {
    return UUID.randomUUID().toString();
  }

  private static HttpRequest.Builder post(String path, String testCase, String key, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.uri(path))
            .timeout(Duration.ofSeconds(60))
            .header("X-Case", testCase)
            .header("Authorization", "Bearer servlet-test-caller") // keyed requests need a tenant
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(body));
    return key == null ? request : request.header("Idempotency-Key", key);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), BodyHandlers.ofString());
  }

  private static Optional<String> header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name);
  }

  private static void assertFirstRun(HttpResponse<String> response, int status) {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(
        Optional.empty(),
        header(response, "Idempotent-Replayed"),
        "a first run carries no replay header");
  }

  private static void assertReplay(HttpResponse<String> response, int status) {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(Optional.of("true"), header(response, "Idempotent-Replayed"));
  }

  private static void assertProblem(HttpResponse<String> response, int status, String slug) {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(Optional.of(PROBLEM), header(response, "Content-Type"));
    assertTrue(
        response.body().contains("\"type\":\"urn:idempo:problem:" + slug + "\""), response.body());
    assertTrue(response.body().contains("\"status\":" + status), response.body());
    assertEquals(Optional.empty(), header(response, "Link"), "no documentation base is configured");
    assertEquals(Optional.empty(), header(response, "Idempotent-Replayed"));
  }

  // Header forms.

  // Methods.

  /**
   * Sends {@code method path} byte for byte (java.net.http would upper-case nothing, but checks).
   */
  private static String raw(String method, String path, String testCase, String key, String body)
      throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.uri("/").getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          (method
                  + " "
                  + server.uri(path).getRawPath()
                  + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer test-caller\r\n"
                  + "X-Case: "
                  + testCase
                  + "\r\nContent-Type: application/json\r\nIdempotency-Key: "
                  + key
                  + "\r\nContent-Length: "
                  + body.length()
                  + "\r\n\r\n"
                  + body)
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void lowercaseMethodIsGuardedLikeUppercase() throws Exception {
    String c = newCase();
    String first = raw("post", "/payments", c, "pay-" + c, "{\"amount\":10}");
    for (String method : List.of("Post", "POST")) {
      String retry = raw(method, "/payments", c, "pay-" + c, "{\"amount\":10}");
      assertTrue(retry.contains("Idempotent-Replayed: true"), method + ": " + retry);
      assertEquals(
          first.substring(first.indexOf("\r\n\r\n")), retry.substring(retry.indexOf("\r\n\r\n")));
    }
    assertEquals(1, app.runs(c), "post, Post and POST are one guarded operation");
  }

  @Test
  void matrixParametersAreKeptInTheFingerprint() throws Exception {
    String c = newCase();
    HttpResponse<String> first =
        send(post("/payments;account=1", c, "pay-" + c, "{\"amount\":10}"));
    HttpResponse<String> other =
        send(post("/payments;account=2", c, "pay-" + c, "{\"amount\":10}"));
    HttpResponse<String> retry =
        send(post("/payments;account=1", c, "pay-" + c, "{\"amount\":10}"));

    assertFirstRun(first, 201);
    assertProblem(other, 422, "key-mismatch");
    assertReplay(retry, 201);
    assertEquals(1, app.runs(c));
  }

  @Test
  void aPutIsNotGuardedByTheDefaultRoute() throws Exception {
    String c = newCase();
    send(post("/payments", c, "put-" + c, "{}").PUT(BodyPublishers.ofString("{}")));
    send(post("/payments", c, "put-" + c, "{}").PUT(BodyPublishers.ofString("{}")));
    assertEquals(2, app.runs(c));
  }

  // Same key, other payload; in flight; waiting.

  @Test
  void aDuplicateWaitsForTheFirstAndReplaysItWhereTheRouteWaits() throws Exception {
    String c = newCase();
    CompletableFuture<HttpResponse<String>> first =
        client.sendAsync(post("/wait", c, "w-" + c, "{}").build(), BodyHandlers.ofString());
    assertTrue(app.entered(c).await(30, TimeUnit.SECONDS));
    CountDownLatch duplicateClaims = new CountDownLatch(2);
    claims.set(duplicateClaims);

    CompletableFuture<HttpResponse<String>> duplicate =
        client.sendAsync(post("/wait", c, "w-" + c, "{}").build(), BodyHandlers.ofString());
    assertTrue(
        duplicateClaims.await(30, TimeUnit.SECONDS), "the duplicate claims again while it waits");
    assertFalse(duplicate.isDone());
    app.gate(c).countDown();

    assertFirstRun(first.get(30, TimeUnit.SECONDS), 200);
    HttpResponse<String> replay = duplicate.get(30, TimeUnit.SECONDS);
    assertReplay(replay, 200);
    assertEquals("slow 1", replay.body());
    assertEquals(1, app.runs(c));
  }

  // Scope.

  // What is stored.

  @Test
  void aResponseOverTheCaptureLimitIsDeliveredAndARetryGetsAProblemNotASecondRun()
      throws Exception {
    String c = newCase();
    HttpResponse<String> first = send(post("/big", c, "big-" + c, "{}"));
    HttpResponse<String> retry = send(post("/big", c, "big-" + c, "{}"));

    assertFirstRun(first, 200);
    assertEquals("x".repeat(5000), first.body());
    assertReplay(retry, 500);
    assertTrue(
        retry.body().contains("\"type\":\"urn:idempo:problem:response-too-large\""), retry.body());
    assertEquals(Optional.of(PROBLEM), header(retry, "Content-Type"));
    assertEquals(1, app.runs(c));
  }

  @Test
  void aWriterBodyOverTheCaptureLimitIsDeliveredWholeToo() throws Exception {
    String c = newCase();
    HttpResponse<String> first = send(post("/bigtext", c, "bigtext-" + c, "{}"));
    HttpResponse<String> retry = send(post("/bigtext", c, "bigtext-" + c, "{}"));

    assertFirstRun(first, 201);
    assertEquals("y".repeat(3000), first.body());
    assertReplay(retry, 500);
    assertTrue(retry.body().contains("(status 201)"), retry.body());
    assertEquals(1, app.runs(c));
  }

  @Test
  void flushingWithinTheCaptureLimitCommitsNothing() throws Exception {
    String c = newCase();
    HttpResponse<String> first = send(post("/flush", c, "flush-" + c, "{}"));

    assertFirstRun(first, 200);
    assertEquals("part1 part2", first.body());
    assertEquals(
        Optional.of("yes"),
        header(first, "X-After-Flush"),
        "a header set after the flush still arrives");
    assertEquals(Optional.of("11"), header(first, "Content-Length"));
    assertReplay(send(post("/flush", c, "flush-" + c, "{}")), 200);
  }

  @Test
  void theHandlerReadsTheBufferedBodyAndFormParameters() throws Exception {
    String c = newCase();
    HttpResponse<String> echo = send(post("/echo", c, "echo-" + c, "{\"hello\":\"world\"}"));
    HttpResponse<String> form =
        send(
            post("/form?q=1", c, "form-" + c, "")
                .setHeader("Content-Type", "application/x-www-form-urlencoded")
                .POST(BodyPublishers.ofString("a=caf%C3%A9&b=x+y")));

    assertEquals("echo 1: {\"hello\":\"world\"}", echo.body());
    assertEquals("a=caf\u00e9 b=x y q=1 run=2", form.body());
  }

  @Test
  void aChunkedBodyLongerThanTheFirstReadBufferReachesTheHandlerWholeAndReplays() throws Exception {
    String c = newCase();
    StringBuilder json = new StringBuilder("{\"items\":[");
    // ~900 B: past the 512-byte first read buffer; the echo stays under the 1 KiB capture limit.
    for (int i = 0; i < 250; i++) {
      json.append(i == 0 ? "" : ",").append(i);
    }
    String body = json.append("]}").toString();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    HttpRequest.Builder chunked =
        post("/echo", c, "chunked-" + c, "")
            .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));

    HttpResponse<String> first = send(chunked);
    HttpResponse<String> retry = send(chunked);

    assertEquals("echo 1: " + body, first.body());
    assertReplay(retry, first.statusCode());
    assertEquals(first.body(), retry.body());
  }

  // Outcomes that are not a plain response.

  @Test
  void anAsyncHandlerIsDeliveredButItsOutcomeIsRecordedUnknown() throws Exception {
    String c = newCase();
    HttpResponse<String> first = send(post("/async", c, "async-" + c, "{}"));
    HttpResponse<String> retry = send(post("/async", c, "async-" + c, "{}"));

    assertFirstRun(first, 200);
    assertEquals("async 1", first.body());
    assertProblem(retry, 502, "outcome-unknown");
    assertEquals(1, app.runs(c));
  }

  @Test
  void aHandlerThatThrowsLeavesAnUnknownOutcomeNeverASecondRun() throws Exception {
    String c = newCase();
    assertEquals(500, send(post("/throw", c, "throw-" + c, "{}")).statusCode());
    assertProblem(send(post("/throw", c, "throw-" + c, "{}")), 502, "outcome-unknown");
    assertEquals(1, app.runs(c));
  }

  @Test
  void sendErrorIsStoredAsItsStatus() throws Exception {
    String c = newCase();
    HttpResponse<String> first = send(post("/error", c, "error-" + c, "{}"));
    HttpResponse<String> retry = send(post("/error", c, "error-" + c, "{}"));

    assertFirstRun(first, 404);
    assertReplay(retry, 404);
    assertEquals(1, app.runs(c));
  }

  @Test
  void canonicalJsonRoutesReplayAReformattedBody() throws Exception {
    String c = newCase();
    assertFirstRun(send(post("/optional", c, "json-" + c, "{\"a\":1,\"b\":[1,2]}")), 201);

    assertReplay(send(post("/optional", c, "json-" + c, " { \"b\" : [1, 2], \"a\" : 1.0 }")), 201);
    assertProblem(
        send(post("/optional", c, "json-" + c, "{\"a\":1,\"b\":[2,1]}")), 422, "key-mismatch");
    assertEquals(1, app.runs(c));
  }

  // Configuration.

  @Test
  void problemTypesAndDocumentationLinksFollowTheConfiguredBases() throws Exception {
    IdempotencyFilter documented =
        IdempotencyFilter.builder(InMemoryIdempotencyStore.create())
            .route(IdempotencyRoute.builder("/payments").build())
            .problemBase("https://api.example.com/problems/")
            .documentationBase("https://docs.example.com/idempotency/")
            .build();
    try (JettyServer other = new JettyServer(documented, new TestApp())) {
      HttpResponse<String> missing =
          client.send(
              HttpRequest.newBuilder(other.uri("/payments"))
                  .POST(BodyPublishers.ofString("{}"))
                  .build(),
              BodyHandlers.ofString());

      assertEquals(400, missing.statusCode());
      assertTrue(
          missing.body().contains("\"type\":\"https://api.example.com/problems/key-missing\""),
          missing.body());
      assertEquals(
          Optional.of("<https://docs.example.com/idempotency/key-missing>; rel=\"describedby\""),
          header(missing, "Link"));
    }
  }

  @Test
  void theBuilderRefusesBadConfiguration() {
    assertThrows(IllegalStateException.class, () -> IdempotencyFilter.builder(store).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> IdempotencyFilter.builder(store).storedHeaders("Set-Cookie"));
    assertThrows(
        IllegalArgumentException.class,
        () -> IdempotencyFilter.builder(store).problemBase("not a uri"));
    assertThrows(
        IllegalArgumentException.class,
        () -> IdempotencyFilter.builder(store).maxRequestBodyBytes(-1));
    assertThrows(NullPointerException.class, () -> IdempotencyFilter.of(null));
  }

  @Test
  void aFilterCanWrapAnHttpIdempotencyBuiltElsewhere() {
    dev.idempo.http.HttpIdempotency built =
        dev.idempo.http.HttpIdempotency.builder(store)
            .route(IdempotencyRoute.builder("/x").build())
            .build();

    assertEquals(built, IdempotencyFilter.of(built).idempotency());
    URI unused = server.uri("/");
    assertTrue(unused.getPort() > 0);
  }
}
