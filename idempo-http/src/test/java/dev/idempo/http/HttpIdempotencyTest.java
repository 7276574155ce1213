package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.ExecutionOutcome;
import dev.idempo.IdempotencyKey;
import dev.idempo.IdempotencyListener;
import dev.idempo.Scope;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.RecordState;
import dev.idempo.store.tck.MutableClock;
import dev.idempo.store.tck.OutageStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class HttpIdempotencyTest {
  private final MutableClock clock = MutableClock.start();
  private final InMemoryIdempotencyStore memory =
      InMemoryIdempotencyStore.builder().clock(clock).build();
  private final OutageStore store = new OutageStore(memory);
  private final List<ExecutionOutcome> outcomes = new CopyOnWriteArrayList<>();
  private final HttpIdempotency http =
      base()
          .route(IdempotencyRoute.builder("/payments/**").name("payments").build())
          .route(IdempotencyRoute.builder("/refunds").name("refunds").build())
          .route(
              IdempotencyRoute.builder("/orders")
                  .name("orders")
                  .keyRequired(false)
                  .fingerprinter(RequestFingerprinter.CANONICAL_JSON)
                  .build())
          .build();

  private HttpIdempotency.Builder base() {
    return HttpIdempotency.builder(store)
        .clock(clock)
        .listener(
            new IdempotencyListener() {
              @Override
              public void onOutcome(Scope scope, ExecutionOutcome outcome) {
                outcomes.add(outcome);
              }
            });
  }

  /** A request that records whether its body was read. */
  private static final class Request implements IncomingRequest {
    final String method;
    final String path;
    final Map<String, List<String>> headers = new LinkedHashMap<>();
    final byte[] body;
    int bodyReads;

    Request(String method, String path, String body) {
      this.method = method;
      this.path = path;
      this.body = body.getBytes(StandardCharsets.UTF_8);
    }

    Request header(String name, String value) {
      if (name.equalsIgnoreCase("Authorization")) {
        headers.remove("authorization"); // replaces the default caller's
      }
      headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).add(value);
      return this;
    }

    /** The request of a caller who sends no Authorization header. */
    Request anonymous() {
      headers.remove("authorization");
      return this;
    }

    Request key(String key) {
      return header("Idempotency-Key", key);
    }

    @Override
    public String method() {
      return method;
    }

    @Override
    public String path() {
      return path;
    }

    @Override
    public String query() {
      return "";
    }

    @Override
    public List<String> headers(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    @Override
    public byte[] body(int limit) {
      bodyReads++;
      if (body.length > limit) {
        throw new RequestBodyTooLargeException(limit, body.length);
      }
      return body.clone();
    }
  }

  private static Request post(String path, String key, String body) {
    return new Request("POST", path, body)
        .key(key)
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer test-caller");
  }

  private static CapturedResponse response(int status, String body) {
    return CapturedResponse.builder(status)
        .header("Content-Type", "application/json")
        .header("Location", "/payments/7")
        .header("Set-Cookie", "session=s3cr3t")
        .body(body.getBytes(StandardCharsets.UTF_8))
        .build();
  }

  private HttpAttempt proceed(IncomingRequest request) throws IOException {
    return assertInstanceOf(Decision.Proceed.class, http.begin(request)).attempt();
  }

  private static Decision.Respond problem(Decision decision, ProblemType type) {
    Decision.Respond respond = assertInstanceOf(Decision.Respond.class, decision);
    assertEquals(Optional.of(type), respond.problem());
    assertEquals(type.status(), respond.response().status());
    assertEquals(
        Optional.of("application/problem+json"), respond.response().header("Content-Type"));
    assertTrue(
        body(respond.response()).contains("\"type\":\"urn:idempo:problem:" + type.slug() + "\""));
    return respond;
  }

  private static CapturedResponse replay(Decision decision) {
    Decision.Respond respond = assertInstanceOf(Decision.Respond.class, decision);
    assertTrue(respond.isReplay());
    assertEquals(List.of("true"), respond.response().headers("Idempotent-Replayed"));
    return respond.response();
  }

  private static String body(CapturedResponse response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  @Test
  void safeMethodsAndUnguardedRequestsPassThroughWithoutTouchingTheStoreOrTheBody()
      throws IOException {
    for (String method : List.of("GET", "HEAD", "OPTIONS", "get")) {
      Request request = new Request(method, "/payments", "").key("k");
      assertEquals(new Decision.PassThrough(Decision.Unguarded.NOT_GUARDED), http.begin(request));
      assertEquals(0, request.bodyReads);
    }
    Request unguarded = post("/elsewhere", "k", "{}");
    assertEquals(new Decision.PassThrough(Decision.Unguarded.NOT_GUARDED), http.begin(unguarded));
    assertEquals(
        new Decision.PassThrough(Decision.Unguarded.NOT_GUARDED),
        http.begin(new Request("PUT", "/payments", "{}").key("k")));
    assertEquals(0, unguarded.bodyReads);
    assertEquals(0, store.calls());
  }

  @Test
  void lowercaseMethodIsGuardedLikeUppercase() throws IOException {
    for (String method : List.of("post", "Post", "pOsT")) {
      Request request =
          new Request(method, "/payments", "{}")
              .key("k-" + method)
              .header("Content-Type", "application/json")
              .header("Authorization", "Bearer test-caller");
      assertInstanceOf(
              Decision.Proceed.class, http.begin(request), method + " must be guarded like POST")
          .attempt()
          .close();
    }
    problem(
        http.begin(
            new Request("post", "/payments", "{}").header("Authorization", "Bearer test-caller")),
        ProblemType.KEY_MISSING);
  }

  @Test
  void lowercaseAndUppercaseMethodShareOneKeySpace() throws IOException {
    try (HttpAttempt attempt = proceed(post("/payments", "k1", "{}"))) {
      attempt.complete(response(201, "{\"id\":7}"));
    }
    Request lower =
        new Request("post", "/payments", "{}")
            .key("k1")
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer test-caller");

    assertEquals("{\"id\":7}", body(replay(http.begin(lower))));
  }

  @Test
  void secondContentTypeOrContentEncodingMakesAnotherRequest() throws IOException {
    try (HttpAttempt attempt = proceed(post("/payments", "k1", "{}"))) {
      attempt.complete(response(201, "{}"));
    }

    problem(
        http.begin(post("/payments", "k1", "{}").header("Content-Type", "text/plain")),
        ProblemType.KEY_MISMATCH);
    problem(
        http.begin(post("/payments", "k1", "{}").header("Content-Encoding", "gzip")),
        ProblemType.KEY_MISMATCH);
    replay(http.begin(post("/payments", "k1", "{}")));
  }

  @Test
  void aMissingKeyIsRefusedWhereRequiredAndPassesThroughWhereOptional() throws IOException {
    Request required = new Request("POST", "/payments", "{}");
    Decision.Respond missing = problem(http.begin(required), ProblemType.KEY_MISSING);
    Request optional = new Request("POST", "/orders", "{}");

    assertEquals(new Decision.PassThrough(Decision.Unguarded.NO_KEY), http.begin(optional));
    assertEquals(0, required.bodyReads + optional.bodyReads);
    assertEquals(0, store.calls());
    assertFalse(missing.isReplay());
    assertEquals(Optional.empty(), missing.response().header("Idempotent-Replayed"));
  }

  @Test
  void anInvalidKeyIsA400SayingWhy() throws IOException {
    Decision.Respond tooLong =
        problem(http.begin(post("/payments", "k".repeat(256), "{}")), ProblemType.KEY_INVALID);
    assertTrue(body(tooLong.response()).contains("at most 255 characters, was 256"));
    problem(http.begin(post("/payments", "a", "{}").key("b")), ProblemType.KEY_INVALID);
    problem(http.begin(post("/payments", "a, b", "{}")), ProblemType.KEY_INVALID);
    problem(http.begin(post("/payments", "", "{}")), ProblemType.KEY_INVALID);
    problem(http.begin(post("/orders", "\"unterminated", "{}")), ProblemType.KEY_INVALID);
    assertEquals(0, store.calls());
  }

  @Test
  void theFirstRunProceedsAndEveryRetryReplaysTheStoredResponse() throws IOException {
    HttpAttempt first = proceed(post("/payments", "pay-1", "{\"amount\":10}"));
    assertEquals(HttpAttempt.Completion.STORED, first.complete(response(201, "{\"id\":7}")));
    assertFalse(first.isOpen());

    for (int i = 0; i < 2; i++) {
      CapturedResponse replay = replay(http.begin(post("/payments", "pay-1", "{\"amount\":10}")));
      assertEquals(201, replay.status());
      assertEquals("{\"id\":7}", body(replay));
      assertEquals(Optional.of("/payments/7"), replay.header("Location"));
      assertEquals(List.of(), replay.headers("Set-Cookie"), "Set-Cookie is never stored");
    }
    assertEquals(
        List.of(ExecutionOutcome.EXECUTED, ExecutionOutcome.REPLAYED, ExecutionOutcome.REPLAYED),
        outcomes);
  }

  @Test
  void quotedAndBareFormsOfAKeyNameTheSameOperation() throws IOException {
    proceed(post("/payments", "\"pay-2\"", "{}")).complete(response(200, "ok"));

    assertEquals("ok", body(replay(http.begin(post("/payments", "pay-2", "{}")))));
  }

  @Test
  void theSameKeyWithAnotherRequestIsAMismatch() throws IOException {
    proceed(post("/payments", "pay-3", "{\"amount\":10}")).complete(response(201, "{}"));

    problem(http.begin(post("/payments", "pay-3", "{\"amount\":11}")), ProblemType.KEY_MISMATCH);
    problem(
        http.begin(post("/payments/other", "pay-3", "{\"amount\":10}")), ProblemType.KEY_MISMATCH);
  }

  @Test
  void aDuplicateWhileTheFirstRunsIsA409WithRetryAfter() throws IOException {
    HttpAttempt first = proceed(post("/payments", "pay-4", "{}"));
    clock.advance(Duration.ofMillis(2500));

    Decision.Respond inFlight =
        problem(http.begin(post("/payments", "pay-4", "{}")), ProblemType.KEY_IN_FLIGHT);

    assertEquals(
        Optional.of("28"),
        inFlight.response().header("Retry-After"),
        "27.5 s of lease left, rounded up");
    first.complete(response(200, "done"));
    assertEquals("done", body(replay(http.begin(post("/payments", "pay-4", "{}")))));
  }

  @Test
  void aDuplicateWaitsForTheFirstAndReplaysItWhenTheRouteSaysSo() throws IOException {
    List<HttpAttempt> firsts = new ArrayList<>();
    List<Duration> pauses = new ArrayList<>();
    HttpIdempotency waiting =
        base()
            .route(
                IdempotencyRoute.builder("/payments")
                    .waitForInFlight(Duration.ofSeconds(5))
                    .build())
            .sleeper(
                pause -> {
                  // The first request finishes while the duplicate waits.
                  pauses.add(pause);
                  clock.advance(pause);
                  if (pauses.size() == 3) {
                    firsts.get(0).complete(response(201, "first"));
                  }
                })
            .build();
    firsts.add(
        assertInstanceOf(Decision.Proceed.class, waiting.begin(post("/payments", "pay-5", "{}")))
            .attempt());

    CapturedResponse replay = replay(waiting.begin(post("/payments", "pay-5", "{}")));

    assertEquals("first", body(replay));
    assertEquals(3, pauses.size());
  }

  @Test
  void aWaitThatRunsOutIsA409() throws IOException {
    HttpIdempotency waiting =
        base()
            .route(
                IdempotencyRoute.builder("/payments")
                    .waitForInFlight(Duration.ofSeconds(1))
                    .build())
            .sleeper(clock::advance)
            .build();
    assertInstanceOf(Decision.Proceed.class, waiting.begin(post("/payments", "pay-6", "{}")));

    problem(waiting.begin(post("/payments", "pay-6", "{}")), ProblemType.KEY_IN_FLIGHT);
  }

  @Test
  void aHolderThatVanishedLeavesAnUnknownOutcomeNeverASecondRun() throws IOException {
    proceed(post("/payments", "pay-7", "{}")).close(); // the process died mid-request
    clock.advance(Duration.ofSeconds(31));

    problem(http.begin(post("/payments", "pay-7", "{}")), ProblemType.OUTCOME_UNKNOWN);
    problem(http.begin(post("/payments", "pay-7", "{}")), ProblemType.OUTCOME_UNKNOWN);
  }

  @Test
  void aRecordedUnknownOutcomeIsA502ForEveryRetry() throws IOException {
    proceed(post("/payments", "pay-8", "{}")).recordOutcomeUnknown();

    Decision.Respond unknown =
        problem(http.begin(post("/payments", "pay-8", "{}")), ProblemType.OUTCOME_UNKNOWN);
    assertEquals(Optional.empty(), unknown.response().header("Idempotent-Replayed"));
  }

  @Test
  void notProcessedStatusesAreReleasedAndEverythingElseIsStored() throws IOException {
    for (int status : List.of(408, 425, 429, 503)) {
      String key = "released-" + status;
      assertEquals(
          HttpAttempt.Completion.RELEASED,
          proceed(post("/payments", key, "{}")).complete(response(status, "later")));
      proceed(post("/payments", key, "{}")).release();
    }
    for (int status : List.of(200, 201, 400, 404, 409, 422, 500, 502, 504)) {
      String key = "stored-" + status;
      assertEquals(
          HttpAttempt.Completion.STORED,
          proceed(post("/payments", key, "{}")).complete(response(status, "x")));
      assertEquals(status, replay(http.begin(post("/payments", key, "{}"))).status());
    }
  }

  @Test
  void releasedStatusesAreConfigurablePerRoute() throws IOException {
    HttpIdempotency custom =
        base().route(IdempotencyRoute.builder("/payments").releasedStatuses(500).build()).build();

    HttpAttempt first =
        assertInstanceOf(Decision.Proceed.class, custom.begin(post("/payments", "k", "{}")))
            .attempt();
    assertTrue(first.releases(500));
    assertFalse(first.releases(503));
    assertEquals(HttpAttempt.Completion.RELEASED, first.complete(response(500, "boom")));
    HttpAttempt second =
        assertInstanceOf(Decision.Proceed.class, custom.begin(post("/payments", "k", "{}")))
            .attempt();
    assertEquals(HttpAttempt.Completion.STORED, second.complete(response(503, "stored now")));
  }

  @Test
  void aResponseTooLargeToStoreIsReplayedAsAProblemNeverRunAgain() throws IOException {
    HttpIdempotency small =
        base()
            .route(IdempotencyRoute.builder("/payments").releasedStatuses(500).build())
            .maxResponseBodyBytes(10)
            .build();
    HttpAttempt first =
        assertInstanceOf(Decision.Proceed.class, small.begin(post("/payments", "big", "{}")))
            .attempt();
    assertEquals(10, first.maxResponseBodyBytes());

    assertEquals(
        HttpAttempt.Completion.STORED_TOO_LARGE, first.complete(response(200, "01234567890")));

    CapturedResponse replay = replay(small.begin(post("/payments", "big", "{}")));
    assertEquals(500, replay.status());
    assertTrue(body(replay).contains("urn:idempo:problem:response-too-large"), body(replay));
    assertTrue(body(replay).contains("(status 200)"), body(replay));
    HttpAttempt exact =
        assertInstanceOf(Decision.Proceed.class, small.begin(post("/payments", "exact", "{}")))
            .attempt();
    assertEquals(HttpAttempt.Completion.STORED, exact.complete(response(200, "0123456789")));
  }

  @Test
  void encryptedResponseOfOneKeyIsNeverServedForAnother() throws IOException {
    SwappingStore tampered =
        new SwappingStore(InMemoryIdempotencyStore.builder().clock(clock).build());
    HttpIdempotency encrypted =
        HttpIdempotency.builder(tampered)
            .clock(clock)
            .route(IdempotencyRoute.builder("/payments").name("payments").build())
            .encryption(EncryptionKeys.builder().add("k1", new byte[32]).build())
            .build();
    Map<String, dev.idempo.store.StorageKey> records = new LinkedHashMap<>();
    for (String key : List.of("victim", "attacker")) {
      try (HttpAttempt attempt =
          assertInstanceOf(Decision.Proceed.class, encrypted.begin(post("/payments", key, "{}")))
              .attempt()) {
        records.put(key, attempt.scope().storageKey(attempt.key()));
        attempt.complete(response(201, "{\"owner\":\"" + key + "\"}"));
      }
    }
    // Someone with write access to the store copies the victim's ciphertext into the attacker's
    // record.
    tampered.serve(records.get("attacker"), records.get("victim"));

    problem(
        encrypted.begin(post("/payments", "attacker", "{}")),
        ProblemType.STORED_RESPONSE_UNREADABLE);
    assertTrue(body(replay(encrypted.begin(post("/payments", "victim", "{}")))).contains("victim"));
  }

  @Test
  void storedHeadersOverTheLimitStoreTheTooLargeProblemInsteadOfThrowing() throws IOException {
    CapturedResponse huge =
        CapturedResponse.builder(201)
            .header("Link", "<" + "l".repeat(HttpAttempt.MAX_STORED_HEADER_BYTES) + ">; rel=next")
            .body("{}".getBytes(StandardCharsets.UTF_8))
            .build();

    assertEquals(
        HttpAttempt.Completion.STORED_TOO_LARGE,
        proceed(post("/payments", "k", "{}")).complete(huge));

    CapturedResponse replay = replay(http.begin(post("/payments", "k", "{}")));
    assertTrue(body(replay).contains("urn:idempo:problem:response-too-large"), body(replay));
  }

  @Test
  void anUncapturedResponseWithAReleasedStatusIsReleased() throws IOException {
    assertEquals(
        HttpAttempt.Completion.RELEASED,
        proceed(post("/payments", "k", "{}")).completeTooLargeToStore(429));
    assertEquals(
        HttpAttempt.Completion.STORED_TOO_LARGE,
        proceed(post("/payments", "k", "{}")).completeTooLargeToStore(200));
    CapturedResponse replay = replay(http.begin(post("/payments", "k", "{}")));
    assertEquals(500, replay.status());
    assertTrue(body(replay).contains("response-too-large"));
  }

  @Test
  void aBodyOverTheLimitIsA413BeforeTheStoreIsTouched() throws IOException {
    HttpIdempotency small =
        base().route(IdempotencyRoute.builder("/payments").build()).maxRequestBodyBytes(8).build();

    Decision.Respond tooLarge =
        problem(small.begin(post("/payments", "k", "123456789")), ProblemType.BODY_TOO_LARGE);
    assertTrue(
        body(tooLarge.response()).contains("9 bytes is larger than the limit of 8 bytes"),
        body(tooLarge.response()));
    assertInstanceOf(Decision.Proceed.class, small.begin(post("/payments", "k", "12345678")));
    assertEquals(1, store.calls());
  }

  @Test
  void aStoreOutageIsA503AndNothingRuns() throws IOException {
    store.down(true);

    Decision.Respond down =
        problem(http.begin(post("/payments", "k", "{}")), ProblemType.STORE_UNAVAILABLE);

    assertFalse(down.isReplay());
    store.down(false);
    assertInstanceOf(Decision.Proceed.class, http.begin(post("/payments", "k", "{}")));
  }

  @Test
  void aFinishThatCannotReachTheStoreThrowsAndTheKeyStaysInFlight() throws IOException {
    HttpAttempt first = proceed(post("/payments", "k", "{}"));
    store.down(true);

    assertThrows(
        dev.idempo.store.StoreUnavailableException.class, () -> first.complete(response(201, "x")));
    store.down(false);
    problem(http.begin(post("/payments", "k", "{}")), ProblemType.KEY_IN_FLIGHT);
  }

  @Test
  void callersWithDifferentCredentialsNeverShareKeys() throws IOException {
    HttpAttempt alice =
        proceed(post("/payments", "same", "{}").header("Authorization", "Bearer alice"));
    HttpAttempt bob =
        proceed(post("/payments", "same", "{}").header("Authorization", "Bearer bob"));
    alice.complete(response(201, "alice's"));
    bob.complete(response(201, "bob's"));

    assertEquals(
        "alice's",
        body(
            replay(
                http.begin(
                    post("/payments", "same", "{}").header("Authorization", "Bearer alice")))));
    assertEquals(
        "bob's",
        body(
            replay(
                http.begin(
                    post("/payments", "same", "{}").header("Authorization", "Bearer bob")))));
    problem(http.begin(post("/payments", "same", "{}").anonymous()), ProblemType.TENANT_REQUIRED);
    assertTrue(alice.scope().tenant().startsWith("authorization:"));
    assertFalse(
        alice.scope().tenant().contains("alice"),
        "the credential itself is never part of the scope");
    assertEquals("POST payments", alice.scope().operation());
  }

  @Test
  void aNamedHeaderCanBeTheTenant() throws IOException {
    HttpIdempotency byHeader =
        base()
            .route(
                IdempotencyRoute.builder("/payments")
                    .tenantSource(TenantSource.header("X-Tenant"))
                    .build())
            .build();
    HttpAttempt acme =
        assertInstanceOf(
                Decision.Proceed.class,
                byHeader.begin(post("/payments", "k", "{}").header("X-Tenant", "acme")))
            .attempt();
    acme.complete(response(200, "acme"));

    assertEquals("acme", acme.scope().tenant());
    assertEquals(
        "acme",
        body(
            replay(
                byHeader.begin(
                    post("/payments", "k", "{}")
                        .header("X-Tenant", "acme")
                        .header("Authorization", "x")))));
    assertInstanceOf(
        Decision.Proceed.class,
        byHeader.begin(post("/payments", "k", "{}").header("X-Tenant", "globex")));
  }

  @Test
  void theSameKeyOnTwoRoutesNamesTwoOperations() throws IOException {
    proceed(post("/payments", "shared", "{}")).complete(response(201, "payment"));

    HttpAttempt refund = proceed(post("/refunds", "shared", "{}"));
    assertEquals("POST refunds", refund.scope().operation());
  }

  @Test
  void canonicalJsonRoutesReplayAReformattedBody() throws IOException {
    proceed(post("/orders", "o-1", "{\"sku\":\"a\",\"qty\":2}")).complete(response(201, "order"));

    assertEquals(
        "order",
        body(replay(http.begin(post("/orders", "o-1", " { \"qty\" : 2.0 , \"sku\" : \"a\" } ")))));
    problem(
        http.begin(post("/orders", "o-1", "{\"sku\":\"a\",\"qty\":3}")), ProblemType.KEY_MISMATCH);
  }

  @Test
  void anAttemptMayBeFinishedOnAnotherThread() throws IOException {
    HttpAttempt first = proceed(post("/payments", "async", "{}"));

    HttpAttempt.Completion completion =
        CompletableFuture.supplyAsync(() -> first.complete(response(202, "queued"))).join();

    assertEquals(HttpAttempt.Completion.STORED, completion);
    assertEquals(202, replay(http.begin(post("/payments", "async", "{}"))).status());
    assertThrows(IllegalStateException.class, () -> first.complete(response(200, "again")));
  }

  @Test
  void storedResponsesCanBeEncryptedAndAnUnknownKeyIsAClearProblem() throws IOException {
    byte[] k1 = new byte[32];
    Arrays.fill(k1, (byte) 1);
    byte[] k2 = new byte[32];
    Arrays.fill(k2, (byte) 2);
    HttpIdempotency encrypted =
        base()
            .route(IdempotencyRoute.builder("/payments").name("payments").build())
            .encryption(EncryptionKeys.builder().add("k1", k1).build())
            .build();
    HttpAttempt first =
        assertInstanceOf(Decision.Proceed.class, encrypted.begin(post("/payments", "enc", "{}")))
            .attempt();
    first.complete(response(201, "card ending 4242"));

    byte[] stored =
        memory
            .find(first.scope().storageKey(IdempotencyKey.of("enc")))
            .orElseThrow()
            .response()
            .orElseThrow()
            .toBytes();
    assertFalse(new String(stored, StandardCharsets.ISO_8859_1).contains("4242"));
    assertEquals(
        RecordState.COMPLETED,
        memory.find(first.scope().storageKey(IdempotencyKey.of("enc"))).orElseThrow().state());

    HttpIdempotency rotated =
        base()
            .route(IdempotencyRoute.builder("/payments").name("payments").build())
            .encryption(EncryptionKeys.builder().add("k1", k1).add("k2", k2).build())
            .build();
    assertEquals("card ending 4242", body(replay(rotated.begin(post("/payments", "enc", "{}")))));

    HttpIdempotency lost =
        base()
            .route(IdempotencyRoute.builder("/payments").name("payments").build())
            .encryption(EncryptionKeys.builder().add("k2", k2).build())
            .build();
    problem(lost.begin(post("/payments", "enc", "{}")), ProblemType.STORED_RESPONSE_UNREADABLE);
  }

  @Test
  void problemsLinkToTheDocumentationOnlyWhenConfigured() throws IOException {
    HttpIdempotency documented =
        base()
            .route(IdempotencyRoute.builder("/payments").build())
            .problemBase("https://api.example.com/problems/")
            .documentationBase("https://docs.example.com/idempotency/")
            .build();

    Decision.Respond missing =
        assertInstanceOf(
            Decision.Respond.class, documented.begin(new Request("POST", "/payments", "")));

    assertEquals(
        List.of("<https://docs.example.com/idempotency/key-missing>; rel=\"describedby\""),
        missing.response().headers("Link"));
    assertTrue(
        body(missing.response())
            .contains("\"type\":\"https://api.example.com/problems/key-missing\""));
    assertEquals(
        List.of(),
        problem(http.begin(new Request("POST", "/payments", "")), ProblemType.KEY_MISSING)
            .response()
            .headers("Link"));
  }

  @Test
  void theBuilderRejectsBadConfigurationNamingIt() {
    assertThrows(IllegalStateException.class, () -> HttpIdempotency.builder(store).build());
    assertEquals(
        "header Set-Cookie is never stored: it carries credentials or cookies",
        assertThrows(
                IllegalArgumentException.class,
                () -> HttpIdempotency.builder(store).storedHeaders("Set-Cookie"))
            .getMessage());
    assertEquals(
        "maxRequestBodyBytes must be between 0 and 268435456 bytes, was -1",
        assertThrows(
                IllegalArgumentException.class,
                () -> HttpIdempotency.builder(store).maxRequestBodyBytes(-1))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> HttpIdempotency.builder(store).maxResponseBodyBytes(Integer.MAX_VALUE));
    assertThrows(
        IllegalArgumentException.class,
        () -> HttpIdempotency.builder(store).problemBase("problems"));
    assertThrows(
        IllegalArgumentException.class,
        () -> HttpIdempotency.builder(store).documentationBase("ftp://x/"));
    assertThrows(NullPointerException.class, () -> HttpIdempotency.builder(null));
  }

  @Test
  void theConfigurationIsReadable() {
    HttpIdempotency configured =
        base()
            .route(IdempotencyRoute.builder("/payments").build())
            .storedHeaders("X-Request-Id")
            .build();

    assertEquals(1 << 20, configured.maxRequestBodyBytes());
    assertEquals(1 << 20, configured.maxResponseBodyBytes());
    assertEquals("urn:idempo:problem:", configured.problemBase());
    assertEquals(Optional.empty(), configured.documentationBase());
    assertTrue(configured.storedHeaders().contains("x-request-id"));
    assertFalse(configured.encryptsStoredResponses());
    assertNotEquals(List.of(), configured.routes().routes());
  }
}
