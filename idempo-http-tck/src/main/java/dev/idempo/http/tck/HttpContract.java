package dev.idempo.http.tck;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.idempo.http.HttpIdempotency;
import dev.idempo.http.ProblemType;
import dev.idempo.http.tck.HttpAdapterHarness.Capability;
import dev.idempo.http.tck.HttpAdapterHarness.Route;
import dev.idempo.store.tck.OutageStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP contract every server adapter passes (docs/design.md, {@link HttpIdempotency}), over
 * real sockets. An adapter's test extends this class and supplies an {@link HttpAdapterHarness};
 * every row here then runs against that adapter, unchanged. Rows that need a {@link Capability} the
 * harness does not declare are reported as skipped, naming it; a few capabilities ({@link
 * Capability#SHARED_KEY_SPACE}, {@link Capability#ROLLS_BACK_FAILED_RUNS}, {@link
 * Capability#STORES_ANY_RESPONSE_SIZE}) instead choose which documented answer a row expects. Each
 * row of the status table in docs/design.md (section "The HTTP contract") and each HTTP-visible bug
 * of issue 9 is a row here; rows pinning a bug say so.
 *
 * <p>Every request carries an {@code Authorization} header (one caller unless a row says
 * otherwise), so its tenant is known however the adapter scopes keys by default. One harness serves
 * the whole class; tests keep apart by fresh keys and {@link ContractApplication#CASE_HEADER}s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class HttpContract {
  /** For an adapter's contract test. */
  protected HttpContract() {}

  /** The request body limit every harness configures; longer bodies get 413. */
  public static final int MAX_REQUEST_BODY_BYTES = 4096;

  /** The stored response body limit every harness configures; longer bodies are not replayed. */
  public static final int MAX_RESPONSE_BODY_BYTES = 16384;

  /** How long the proxy behind {@link Route#RAW_UPSTREAM} waits for its upstream's answer. */
  public static final Duration UPSTREAM_TIMEOUT = Duration.ofSeconds(3);

  /** The capacity of the store behind {@link Route#SMALL_STORE}. */
  public static final int SMALL_STORE_RECORDS = 3;

  private static final String PROBLEM_TYPE = "application/problem+json";
  private static final String CALLER = "Bearer tck-caller";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int DUPLICATES = 50;

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final ContractApplication application = new ContractApplication();
  private HttpAdapterHarness harness;

  /** The harness for the adapter under test; started once for the class, closed after it. */
  protected abstract HttpAdapterHarness createHarness() throws Exception;

  @BeforeAll
  final void startAdapter() throws Exception {
    harness = createHarness();
    harness.start(application);
  }

  @AfterAll
  final void stopAdapter() throws Exception {
    application.releaseAll();
    if (harness != null) {
      harness.close();
    }
  }

  // ------------------------------------------------------------------- first run and replay

  @Test
  void aFirstRunCarriesNoReplayHeaderAndItsRetryReplaysStatusBodyAndStoredHeaders()
      throws Exception {
    String c = newCase();
    assertRunsOnceThenReplays(c, 201, keyed(c, "{\"amount\":10}"), keyed(c, "{\"amount\":10}"));
  }

  @Test
  void setCookieAndUnlistedHeadersReachTheFirstCallerButAreNeverReplayed() throws Exception {
    String c = newCase();
    List<HttpResponse<byte[]>> sent =
        assertRunsOnceThenReplays(c, 201, keyed(c, "{}"), keyed(c, "{}"));

    assertTrue(header(sent.get(0), "Set-Cookie").orElseThrow().startsWith("session=s1"));
    assertEquals(Optional.of("u1"), header(sent.get(0), ContractApplication.UNLISTED_HEADER));
    assertEquals(List.of(), sent.get(1).headers().allValues("Set-Cookie"));
    assertEquals(Optional.empty(), header(sent.get(1), ContractApplication.UNLISTED_HEADER));
  }

  @Test
  void patchIsGuardedLikePost() throws Exception {
    String c = newCase();
    assertRunsOnceThenReplays(c, 201, patch(c, "{\"n\":1}"), patch(c, "{\"n\":1}"));
  }

  @Test
  void aKeyIsOptionalWhereTheRouteSaysSoAndThenGuardsLikeARequiredOne() throws Exception {
    String c = newCase();
    assertRunsOnceThenReplays(
        c,
        201,
        post(Route.KEY_OPTIONAL, c, "k-" + c, "{}"),
        post(Route.KEY_OPTIONAL, c, "k-" + c, "{}"));
  }

  // ------------------------------------------------------------------------ the key header

  @Test
  void anSfStringAndATokenNameTheSameKey() throws Exception {
    String c = newCase();
    HttpRequest.Builder quoted = post(Route.KEY_REQUIRED, c, "\"k-" + c + "\"", "{}");
    assertRunsOnceThenReplays(c, 201, keyed(c, "{}"), quoted);
  }

  @Test
  void aKeyOf255CharactersIsAccepted() throws Exception {
    String c = newCase();
    String key = (c + "k".repeat(255)).substring(0, 255);

    assertFirstRun(send(post(Route.KEY_REQUIRED, c, key, "{}")), 201);
    assertEquals(1, application.executions(c));
  }

  @Test
  void invalidKeysAre400KeyInvalidAndNothingRuns() throws Exception {
    String c = newCase();
    List<HttpRequest.Builder> invalid = new ArrayList<>();
    invalid.add(post(Route.KEY_REQUIRED, c, "k".repeat(256), "{}"));
    invalid.add(post(Route.KEY_REQUIRED, c, "\"\"", "{}"));
    invalid.add(post(Route.KEY_REQUIRED, c, "\"unterminated", "{}"));
    invalid.add(post(Route.KEY_REQUIRED, c, "a b", "{}"));
    invalid.add(post(Route.KEY_REQUIRED, c, "a, b", "{}"));
    invalid.add(post(Route.KEY_REQUIRED, c, "one", "{}").header("Idempotency-Key", "two"));
    invalid.add(post(Route.KEY_OPTIONAL, c, "k".repeat(256), "{}"));
    for (HttpRequest.Builder request : invalid) {
      assertProblem(send(request), ProblemType.KEY_INVALID);
    }
    assertEquals(0, application.executions(c));
  }

  @Test
  void anEmptyKeyIs400KeyInvalid() throws Exception {
    String c = newCase();
    byte[] emptyKey = "Idempotency-Key: \r\n".getBytes(StandardCharsets.US_ASCII);
    String response = sendRaw(Route.KEY_REQUIRED, c, emptyKey);

    assertRawProblem(response, ProblemType.KEY_INVALID);
    assertEquals(0, application.executions(c));
  }

  @Test
  void aKeyWithNonAsciiBytesIs400KeyInvalid() throws Exception {
    // java.net.http refuses non-ASCII header values, so these go over a raw socket.
    String c = newCase();
    byte[] utf8 = keyLine(new byte[] {'c', (byte) 0xC3, (byte) 0xA9});
    byte[] latin1 = keyLine(new byte[] {'c', (byte) 0xE9});
    for (byte[] keyLine : List.of(utf8, latin1)) {
      assertRawProblem(sendRaw(Route.KEY_REQUIRED, c, keyLine), ProblemType.KEY_INVALID);
    }
    assertEquals(0, application.executions(c));
  }

  @Test
  void aMissingKeyIs400KeyMissingWhereTheRouteRequiresOne() throws Exception {
    String c = newCase();
    HttpResponse<byte[]> missing = send(post(Route.KEY_REQUIRED, c, null, "{}"));

    assertProblem(missing, ProblemType.KEY_MISSING);
    assertEquals(0, application.executions(c));
  }

  @Test
  void withoutAKeyAnOptionalRouteRunsEveryTimeAndStoresNothing() throws Exception {
    String c = newCase();
    assertFirstRun(send(post(Route.KEY_OPTIONAL, c, null, "{}")), 201);
    assertFirstRun(send(post(Route.KEY_OPTIONAL, c, null, "{}")), 201);

    assertEquals(2, application.executions(c));
  }

  // ----------------------------------------------------------------------------- safe methods

  @Test
  void getAndHeadRunEveryTimeEvenWithAKeyAPostUsed() throws Exception {
    String c = newCase();
    assertFirstRun(send(keyed(c, "{}")), 201);
    for (String method : List.of("GET", "HEAD", "GET")) {
      HttpResponse<byte[]> response =
          send(keyedTo(c, "/things").method(method, BodyPublishers.noBody()));
      assertFirstRun(response, 201);
    }
    assertEquals(4, application.executions(c));
  }

  @Test
  void safeMethodsNeverReachTheStoreEvenWhileItIsDown() throws Exception {
    OutageStore store = storeWith(Capability.STORE_OUTAGE);
    String c = newCase();
    int before = store.calls();
    store.down(true);
    try {
      for (String method : List.of("GET", "HEAD", "OPTIONS")) {
        HttpResponse<byte[]> response =
            send(keyedTo(c, "/things").method(method, BodyPublishers.noBody()));
        assertTrue(response.statusCode() < 300, method + " answered " + response.statusCode());
        assertEquals(Optional.empty(), header(response, HttpIdempotency.REPLAYED_HEADER), method);
      }
    } finally {
      store.down(false);
    }
    assertEquals(before, store.calls(), "GET, HEAD and OPTIONS never reach the store");
  }

  // ------------------------------------------------------------ method case (issue 9, item 1)

  @Test
  void lowercaseMethodIsGuardedLikeUppercaseOrRefused() throws Exception {
    // The method guarded is the method executed: "post" is POST, or refused as ambiguous.
    String c = newCase();
    List<HttpResponse<byte[]>> answers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      answers.add(
          send(
              keyedTo(c, "/things")
                  .header("Content-Type", "application/json")
                  .method("post", BodyPublishers.ofString("{}"))));
    }

    int executions = application.executions(c);
    assertTrue(executions <= 1, "three sends of post with one key ran " + executions + " times");
    if (executions == 0) {
      for (HttpResponse<byte[]> refused : answers) {
        assertProblem(refused, ProblemType.REQUEST_AMBIGUOUS);
      }
    } else {
      assertFirstRun(answers.get(0), 201);
      assertReplayOf(answers.get(0), answers.get(1));
      assertReplayOf(answers.get(0), answers.get(2));
    }
  }

  // ---------------------------------------------------------------- tenants (issue 9, item 2)

  @Test
  void aKeyedRequestWithoutATenantIs400TenantRequiredAndNothingRuns() throws Exception {
    String c = newCase();
    HttpRequest.Builder first = anonymous(post(Route.KEY_REQUIRED, c, "k-" + c, "{}"));
    HttpRequest.Builder retry = anonymous(post(Route.KEY_REQUIRED, c, "k-" + c, "{}"));
    if (has(Capability.SHARED_KEY_SPACE)) {
      assertRunsOnceThenReplays(c, 201, first, retry);
      return;
    }

    HttpResponse<byte[]> refused = send(first);
    HttpResponse<byte[]> again = send(retry);

    assertProblem(refused, ProblemType.TENANT_REQUIRED);
    assertProblem(again, ProblemType.TENANT_REQUIRED);
    assertEquals(0, application.executions(c), "a caller who cannot be told apart never runs");
  }

  @Test
  void withoutAKeyARequestWithoutATenantRunsUnguardedWhereTheKeyIsOptional() throws Exception {
    String c = newCase();
    assertFirstRun(send(anonymous(post(Route.KEY_OPTIONAL, c, null, "{}"))), 201);
    assertEquals(1, application.executions(c));
  }

  // --------------------------------------------------------------------------- key mismatch

  @Test
  void theSameKeyWithAnotherBodyQueryContentTypeOrPathIs422KeyMismatch() throws Exception {
    String c = newCase();
    String amount10 = "{\"amount\":10}";
    assertFirstRun(send(keyed(c, amount10)), 201);

    List<HttpRequest.Builder> others =
        List.of(
            keyed(c, "{\"amount\":99}"),
            keyedPost(c, "/things?currency=eur", "application/json", amount10),
            keyedPost(c, "/things", "text/plain", amount10),
            keyedPost(c, "/things/other", "application/json", amount10));
    for (HttpRequest.Builder other : others) {
      assertProblem(send(other), ProblemType.KEY_MISMATCH);
    }
    assertEquals(1, application.executions(c));
  }

  @Test
  void aQuotedParameterOrAContentEncodingTheFirstRequestDidNotHaveIs422KeyMismatch()
      throws Exception {
    // Issue 9: quoted parameters keep their bytes, and Content-Encoding counts.
    String c = newCase();
    String contentType = "application/json; a=\"x;y\"";
    assertFirstRun(send(keyedPost(c, "/things", contentType, "{}")), 201);

    List<HttpRequest.Builder> others =
        List.of(
            keyedPost(c, "/things", "application/json; a=\"x; y\"", "{}"),
            keyedPost(c, "/things", contentType, "{}").header("Content-Encoding", "br"));
    for (HttpRequest.Builder other : others) {
      assertProblem(send(other), ProblemType.KEY_MISMATCH);
    }
    assertReplayOf(
        send(keyedPost(c, "/things", contentType, "{}")),
        send(keyedPost(c, "/things", contentType, "{}")));
    assertEquals(1, application.executions(c));
  }

  // -------------------------------------------------------------------------------- in flight

  @Test
  void aDuplicateOfARunningRequestIs409KeyInFlightWithRetryAfter() throws Exception {
    requireCapability(Capability.IN_FLIGHT_CONFLICT);
    String c = newCase();
    CompletableFuture<HttpResponse<byte[]>> first = sendAsync(blocking(keyed(c, "{}")));
    assertTrue(application.awaitEntered(c, 30), "the first request reached the application");

    HttpResponse<byte[]> duplicate = send(blocking(keyed(c, "{}")));

    assertProblem(duplicate, ProblemType.KEY_IN_FLIGHT);
    long retryAfter = Long.parseLong(header(duplicate, "Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 30, "Retry-After in seconds, was " + retryAfter);
    application.release(c);
    HttpResponse<byte[]> firstResponse = first.get(30, TimeUnit.SECONDS);
    assertFirstRun(firstResponse, 201);
    assertReplayOf(firstResponse, send(keyed(c, "{}")));
    assertEquals(1, application.executions(c));
  }

  @Test
  void aDuplicateOfARunningRequestWaitsForItAndReplaysItsResponse() throws Exception {
    requireCapability(Capability.IN_FLIGHT_WAIT);
    String c = newCase();
    CompletableFuture<HttpResponse<byte[]>> first = sendAsync(blocking(keyed(c, "{}")));
    assertTrue(application.awaitEntered(c, 30), "the first request reached the application");

    CompletableFuture<HttpResponse<byte[]>> duplicate = sendAsync(blocking(keyed(c, "{}")));
    assertFalse(duplicate.isDone(), "the duplicate waits while the first runs");
    application.release(c);

    HttpResponse<byte[]> firstResponse = first.get(30, TimeUnit.SECONDS);
    assertFirstRun(firstResponse, 201);
    assertReplayOf(firstResponse, duplicate.get(30, TimeUnit.SECONDS));
    assertEquals(1, application.executions(c));
  }

  @Test
  void onALeasedRouteThatWaitsADuplicateWaitsForTheRunningRequestAndReplaysIt() throws Exception {
    requireCapability(Capability.WAITING_ROUTE);
    String c = newCase();
    CompletableFuture<HttpResponse<byte[]>> first =
        sendAsync(blocking(post(Route.WAITING, c, "k-" + c, "{}")));
    assertTrue(application.awaitEntered(c, 30), "the first request reached the application");

    CompletableFuture<HttpResponse<byte[]>> duplicate =
        sendAsync(blocking(post(Route.WAITING, c, "k-" + c, "{}")));
    assertFalse(duplicate.isDone(), "the duplicate waits while the first runs");
    application.release(c);

    HttpResponse<byte[]> firstResponse = first.get(30, TimeUnit.SECONDS);
    assertFirstRun(firstResponse, 201);
    assertReplayOf(firstResponse, duplicate.get(30, TimeUnit.SECONDS));
    assertEquals(1, application.executions(c));
  }

  @Test
  void aClaimWhoseLeaseRanOutIsTakenOverFailClosedWith502OutcomeUnknown() throws Exception {
    // Its holder looks dead (no renewal within the lease): whether its work took effect is
    // unknown, so the retry is told so and the work never runs a second time.
    requireCapability(Capability.STORE_CLOCK);
    String c = newCase();
    CompletableFuture<HttpResponse<byte[]>> first = sendAsync(blocking(keyed(c, "{}")));
    HttpResponse<byte[]> retry;
    HttpResponse<byte[]> again;
    try {
      assertTrue(application.awaitEntered(c, 30), "the first request reached the application");
      harness.storeClock().advance(Duration.ofHours(1));
      retry = send(blocking(keyed(c, "{}")));
      again = send(blocking(keyed(c, "{}")));
    } finally {
      application.release(c);
    }
    first.get(30, TimeUnit.SECONDS);

    assertProblem(retry, ProblemType.OUTCOME_UNKNOWN);
    assertProblem(again, ProblemType.OUTCOME_UNKNOWN);
    assertEquals(1, application.executions(c));
  }

  @Test
  void fiftyConcurrentDuplicatesRunTheApplicationOnce() throws Exception {
    String c = newCase();
    List<CompletableFuture<HttpResponse<byte[]>>> sent = new ArrayList<>();
    for (int i = 0; i < DUPLICATES; i++) {
      sent.add(sendAsync(keyed(c, "{\"n\":1}")));
    }
    List<HttpResponse<byte[]>> answered = new ArrayList<>();
    List<HttpResponse<byte[]>> firstRuns = new ArrayList<>();
    for (CompletableFuture<HttpResponse<byte[]>> future : sent) {
      HttpResponse<byte[]> response = future.get(60, TimeUnit.SECONDS);
      if (response.statusCode() == 409 && has(Capability.IN_FLIGHT_CONFLICT)) {
        assertProblem(response, ProblemType.KEY_IN_FLIGHT);
      } else if (header(response, HttpIdempotency.REPLAYED_HEADER).isPresent()) {
        answered.add(response);
      } else {
        firstRuns.add(response);
      }
    }

    assertEquals(1, application.executions(c));
    assertEquals(1, firstRuns.size(), "exactly one first run");
    assertFirstRun(firstRuns.get(0), 201);
    for (HttpResponse<byte[]> replay : answered) {
      assertReplayOf(firstRuns.get(0), replay);
    }
  }

  @Test
  void requestsWithDifferentKeysRunConcurrently() throws Exception {
    int keys = 8;
    List<String> cases = new ArrayList<>();
    List<CompletableFuture<HttpResponse<byte[]>>> sent = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      String c = newCase();
      cases.add(c);
      sent.add(sendAsync(blocking(keyed(c, "{}"))));
    }
    try {
      for (String c : cases) {
        assertTrue(
            application.awaitEntered(c, 30),
            "all " + keys + " keys run at once: one key never waits for another");
      }
    } finally {
      cases.forEach(application::release);
    }
    for (CompletableFuture<HttpResponse<byte[]>> future : sent) {
      assertFirstRun(future.get(30, TimeUnit.SECONDS), 201);
    }
  }

  // --------------------------------------------------------------------------- request body

  @Test
  void aBodyOverTheLimitIs413BodyTooLargeWhetherDeclaredOrChunked() throws Exception {
    String c = newCase();
    byte[] over = new byte[MAX_REQUEST_BODY_BYTES + 1];
    Arrays.fill(over, (byte) 'a');

    HttpResponse<byte[]> declared =
        send(keyedTo(c, "/things").POST(BodyPublishers.ofByteArray(over)));
    HttpResponse<byte[]> chunked =
        send(
            keyedTo(c, "/things")
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(over))));

    assertProblem(declared, ProblemType.BODY_TOO_LARGE);
    assertTrue(
        field(text(declared), "detail").contains("limit of " + MAX_REQUEST_BODY_BYTES + " bytes"),
        text(declared));
    assertProblem(chunked, ProblemType.BODY_TOO_LARGE);
    assertEquals(0, application.executions(c));
  }

  @Test
  void aBodyOfExactlyTheLimitRunsAndReachesTheApplicationWhole() throws Exception {
    String c = newCase();
    String body = "b".repeat(MAX_REQUEST_BODY_BYTES);
    byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);

    HttpResponse<byte[]> response =
        send(
            keyedTo(c, "/things")
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))));

    assertFirstRun(response, 201);
    assertTrue(text(response).contains("\"body\":\"" + body + "\""), "the body is echoed whole");
  }

  // --------------------------------------------------------------------- what is stored

  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {500, 502})
  void aServerErrorIsAnAnswerStoredAndReplayed(int status) throws Exception {
    String c = newCase();
    String statuses = status + ",201";
    assertRunsOnceThenReplays(
        c, status, withStatus(keyed(c, "{}"), statuses), withStatus(keyed(c, "{}"), statuses));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {408, 425, 429, 503})
  void aNotProcessedStatusIsNotStoredSoTheRetryRunsAgain(int status) throws Exception {
    String c = newCase();
    HttpResponse<byte[]> refused = send(withStatus(keyed(c, "{}"), status + ",201"));
    HttpResponse<byte[]> retry = send(withStatus(keyed(c, "{}"), status + ",201"));
    HttpResponse<byte[]> again = send(withStatus(keyed(c, "{}"), status + ",201"));

    assertFirstRun(refused, status);
    assertFirstRun(retry, 201);
    assertTrue(text(retry).contains("\"run\":2"), text(retry));
    assertReplayOf(retry, again);
    assertEquals(2, application.executions(c));
  }

  @Test
  void aResponseOverTheLimitReachesTheFirstCallerAndItsRetriesGet500ResponseTooLarge()
      throws Exception {
    String c = newCase();
    int size = MAX_RESPONSE_BODY_BYTES + 1024;
    HttpRequest.Builder request =
        keyed(c, "{}").header(ContractApplication.BODY_BYTES_HEADER, String.valueOf(size));

    HttpResponse<byte[]> first = send(request);
    // A response too large to hold back streams to the caller before its claim is finished: a
    // retry in that moment meets the key in flight (409), never a second run.
    HttpResponse<byte[]> retry = sendUntilNotInFlight(request);
    HttpResponse<byte[]> again = send(request);

    assertFirstRun(first, 201);
    assertTrue(first.body().length >= size, "the first caller gets the whole answer");
    if (has(Capability.STORES_ANY_RESPONSE_SIZE)) {
      assertReplayOf(first, retry);
    } else {
      assertStoredProblem(retry, ProblemType.RESPONSE_TOO_LARGE);
    }
    assertReplayOf(retry, again);
    assertEquals(1, application.executions(c));
  }

  @Test
  void aHandlerThatThrowsIsNeverRunTwiceUnlessItsWorkWasRolledBack() throws Exception {
    // What the first caller sees is the adapter's (each harness documents it); the retry never
    // runs work that may have taken effect.
    String c = newCase();
    HttpRequest.Builder failing = keyed(c, "{}").header(ContractApplication.THROW_HEADER, "1");

    HttpResponse<byte[]> first = send(failing);
    HttpResponse<byte[]> retry = send(failing);
    HttpResponse<byte[]> again = send(failing);

    assertTrue(first.statusCode() >= 500, () -> first.statusCode() + " " + text(first));
    assertEquals(Optional.empty(), header(first, HttpIdempotency.REPLAYED_HEADER));
    if (has(Capability.ROLLS_BACK_FAILED_RUNS)) {
      assertFirstRun(retry, 201);
      assertReplayOf(retry, again);
      assertEquals(2, application.executions(c), "the failed run was rolled back; one rerun");
    } else {
      assertProblem(retry, ProblemType.OUTCOME_UNKNOWN);
      assertProblem(again, ProblemType.OUTCOME_UNKNOWN);
      assertEquals(1, application.executions(c), "work that may have taken effect never reruns");
    }
  }

  // ------------------------------------------------------------------------------- scope

  @Test
  void callersWithDifferentAuthorizationNeverShareAKey() throws Exception {
    String c = newCase();
    String key = "shared-" + c;
    HttpResponse<byte[]> alice = send(as("Bearer alice", post(Route.KEY_REQUIRED, c, key, "{}")));
    HttpResponse<byte[]> bob = send(as("Bearer bob", post(Route.KEY_REQUIRED, c, key, "{}")));
    HttpResponse<byte[]> aliceAgain =
        send(as("Bearer alice", post(Route.KEY_REQUIRED, c, key, "{}")));

    assertFirstRun(alice, 201);
    assertFirstRun(bob, 201);
    assertNotEquals(text(alice), text(bob));
    assertReplayOf(alice, aliceAgain);
    assertEquals(2, application.executions(c));
  }

  // --------------------------------------------------------------------------- the store

  @Test
  void aStoreOutageIs503StoreUnavailableAndNothingRuns() throws Exception {
    OutageStore store = storeWith(Capability.STORE_OUTAGE);
    String c = newCase();
    HttpResponse<byte[]> down;
    store.down(true);
    try {
      down = send(keyed(c, "{}"));
    } finally {
      store.down(false);
    }

    assertProblem(down, ProblemType.STORE_UNAVAILABLE);
    assertEquals(0, application.executions(c));
    assertFirstRun(send(keyed(c, "{}")), 201);
  }

  @Test
  void aLostClaimReplyIs503AndTheRetryRunsOnce() throws Exception {
    // The claim took effect but its reply was lost: nothing was run, so nothing may turn into
    // an in-flight key or an unknown outcome (issue 9, item 7).
    OutageStore store = storeWith(Capability.STORE_OUTAGE);
    String c = newCase();
    HttpResponse<byte[]> lost;
    store.loseReplies(true);
    try {
      lost = send(keyed(c, "{}"));
    } finally {
      store.loseReplies(false);
    }

    assertProblem(lost, ProblemType.STORE_UNAVAILABLE);
    assertEquals(0, application.executions(c));
    // The claim is abandoned in the background once the store answers; until then a retry may
    // meet the key in flight, never an unknown outcome.
    HttpResponse<byte[]> retry = sendUntilNotInFlight(keyed(c, "{}"));
    assertFirstRun(retry, 201);
    assertReplayOf(retry, send(keyed(c, "{}")));
    assertEquals(1, application.executions(c));
  }

  @Test
  void aStoreBugIs500InternalErrorNotAnUnreadableRecordAndNothingRuns() throws Exception {
    // Issue 9, item 12: only unreadable stored bytes are stored-response-unreadable.
    OutageStore store = storeWith(Capability.STORE_OUTAGE);
    String c = newCase();
    HttpResponse<byte[]> failed;
    store.malfunction(true);
    try {
      failed = send(keyed(c, "{}"));
    } finally {
      store.malfunction(false);
    }

    assertProblem(failed, ProblemType.INTERNAL_ERROR);
    assertEquals(0, application.executions(c));
    assertFirstRun(send(keyed(c, "{}")), 201);
  }

  @Test
  void aStoredAnswerThatCannotBeReadIs500StoredResponseUnreadableAndNothingRunsAgain()
      throws Exception {
    OutageStore store = storeWith(Capability.STORE_OUTAGE);
    String c = newCase();
    HttpResponse<byte[]> first = send(keyed(c, "{}"));
    HttpResponse<byte[]> unreadable;
    store.corruptReplays(true);
    try {
      unreadable = send(keyed(c, "{}"));
    } finally {
      store.corruptReplays(false);
    }

    assertFirstRun(first, 201);
    assertProblem(unreadable, ProblemType.STORED_RESPONSE_UNREADABLE);
    assertReplayOf(first, send(keyed(c, "{}")));
    assertEquals(1, application.executions(c));
  }

  @Test
  void aFullStoreRefusesNewKeysWith503AndKeepsEveryLiveRecord() throws Exception {
    // Issue 9, item 3: a record inside its retention is never dropped to make room.
    requireCapability(Capability.SMALL_STORE);
    String c = newCase();
    List<HttpResponse<byte[]>> firstRuns = new ArrayList<>();
    for (int i = 0; i < SMALL_STORE_RECORDS; i++) {
      HttpResponse<byte[]> firstRun = send(post(Route.SMALL_STORE, c, "k" + i + "-" + c, "{}"));
      assertFirstRun(firstRun, 201);
      firstRuns.add(firstRun);
    }

    HttpResponse<byte[]> full = send(post(Route.SMALL_STORE, c, "k-over-" + c, "{}"));

    assertProblem(full, ProblemType.STORE_UNAVAILABLE);
    for (int i = 0; i < SMALL_STORE_RECORDS; i++) {
      HttpResponse<byte[]> retry = send(post(Route.SMALL_STORE, c, "k" + i + "-" + c, "{}"));
      assertReplayOf(firstRuns.get(i), retry);
    }
    assertEquals(SMALL_STORE_RECORDS, application.executions(c));
  }

  // ----------------------------------------------------------- a proxy's upstream (gateway)

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"103", "102,102", "100"})
  void interimResponsesAreNeverStoredAsTheAnswer(String interim) throws Exception {
    // Issue 9, item 5: the final response is relayed and stored, never a 1xx.
    requireCapability(Capability.RAW_UPSTREAM);
    String c = newCase();
    HttpRequest.Builder request =
        post(Route.RAW_UPSTREAM, c, "k-" + c, "{}")
            .header(ContractApplication.INTERIM_HEADER, interim);

    List<HttpResponse<byte[]>> sent = assertRunsOnceThenReplays(c, 201, request, request);

    assertEquals(List.of(), sent.get(1).headers().allValues("Link"), "a 103's Link is no answer");
  }

  @Test
  void responseHeadersOver8KiBAreRelayedAndStored() throws Exception {
    // Issue 9, item 6: the listener's header limit matches what the upstream client accepts.
    requireCapability(Capability.RAW_UPSTREAM);
    String c = newCase();
    int size = 12 << 10;
    HttpRequest.Builder request =
        post(Route.RAW_UPSTREAM, c, "k-" + c, "{}")
            .header(ContractApplication.HEADER_BYTES_HEADER, String.valueOf(size));

    List<HttpResponse<byte[]>> sent = assertRunsOnceThenReplays(c, 201, request, request);

    assertEquals(
        Optional.of("p".repeat(size)), header(sent.get(0), ContractApplication.PADDING_HEADER));
  }

  @Test
  void responseHeadersTooLargeToRelaySettleTheClaimAtOnce() throws Exception {
    // Issue 9, item 6: a relay failure ends the attempt; the key is never left in flight.
    requireCapability(Capability.RAW_UPSTREAM);
    String c = newCase();
    HttpRequest.Builder request =
        post(Route.RAW_UPSTREAM, c, "k-" + c, "{}")
            .header(ContractApplication.HEADER_BYTES_HEADER, String.valueOf(64 << 10));

    HttpResponse<byte[]> first = send(request);
    HttpResponse<byte[]> retry = send(request);

    assertTrue(first.statusCode() >= 500, () -> first.statusCode() + " " + text(first));
    assertProblem(retry, ProblemType.OUTCOME_UNKNOWN);
    assertEquals(1, application.executions(c));
  }

  @Test
  void anUpstreamSilentPastTheTimeoutIs504ThenEveryRetryIs502OutcomeUnknown() throws Exception {
    // The proxy's own timer is the subject here: the upstream is held past it by a latch.
    requireCapability(Capability.RAW_UPSTREAM);
    String c = newCase();
    HttpRequest.Builder request = blocking(post(Route.RAW_UPSTREAM, c, "k-" + c, "{}"));
    HttpResponse<byte[]> first;
    try {
      first = send(request);
    } finally {
      application.release(c);
    }
    HttpResponse<byte[]> retry = send(request);

    // The caller who waited may be told the timeout (504) or, as every retry is, that the
    // outcome is unknown (502): either way the answer is settled and the request never resent.
    assertProblem(
        first,
        first.statusCode() == ProblemType.UPSTREAM_TIMEOUT.status()
            ? ProblemType.UPSTREAM_TIMEOUT
            : ProblemType.OUTCOME_UNKNOWN);
    assertProblem(retry, ProblemType.OUTCOME_UNKNOWN);
    assertEquals(1, application.executions(c), "sent once: whether it took effect is unknown");
  }

  // ---------------------------------------------------------------------- problem shape

  @Test
  void problemsAreRfc9457WithAStableTypeUnderTheBase() throws Exception {
    String c = newCase();
    HttpResponse<byte[]> missing = send(post(Route.KEY_REQUIRED, c, null, "{}"));

    assertProblem(missing, ProblemType.KEY_MISSING);
    String body = text(missing);
    assertEquals(HttpIdempotency.DEFAULT_PROBLEM_BASE + "key-missing", field(body, "type"));
    assertEquals(ProblemType.KEY_MISSING.title(), field(body, "title"));
    assertTrue(field(body, "detail").contains("Idempotency-Key"), body);
    assertEquals(Optional.of("no-store"), header(missing, "Cache-Control"));
  }

  // ------------------------------------------------------------------------------ helpers

  /** The application behind the adapter, for an adapter's own rows. */
  protected final ContractApplication application() {
    return application;
  }

  /** True when the harness declares {@code capability}. */
  protected final boolean has(Capability capability) {
    return harness.capabilities().contains(capability);
  }

  private void requireCapability(Capability capability) {
    assumeTrue(
        has(capability),
        () ->
            "not supported by this adapter: its harness does not declare "
                + capability
                + " (capabilities: "
                + harness.capabilities()
                + ")");
  }

  private OutageStore storeWith(Capability capability) {
    requireCapability(capability);
    return harness.outageStore();
  }

  /** A fresh test case id, also the stem of its keys. */
  protected static String newCase() {
    return UUID.randomUUID().toString();
  }

  /** A request to {@code path} under {@code route}, as one caller, in {@code testCase}. */
  protected final HttpRequest.Builder request(
      Route route, String path, String testCase, String key) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(harness.base(route) + path))
            .timeout(TIMEOUT)
            .header("Authorization", CALLER)
            .header(ContractApplication.CASE_HEADER, testCase);
    return key == null ? request : request.header("Idempotency-Key", key);
  }

  /** A JSON POST of {@code body} to {@code /things}; no key header when {@code key} is null. */
  protected final HttpRequest.Builder post(Route route, String testCase, String key, String body) {
    return request(route, "/things", testCase, key)
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(body));
  }

  /** A JSON POST of {@code body} to {@code /things} on the required route, with the case's key. */
  private HttpRequest.Builder keyed(String testCase, String body) {
    return post(Route.KEY_REQUIRED, testCase, "k-" + testCase, body);
  }

  /** A request to {@code path} on the required route, with the case's key. */
  private HttpRequest.Builder keyedTo(String testCase, String path) {
    return request(Route.KEY_REQUIRED, path, testCase, "k-" + testCase);
  }

  /** A POST of {@code body} as {@code contentType} to {@code path} on the required route. */
  private HttpRequest.Builder keyedPost(
      String testCase, String path, String contentType, String body) {
    return keyedTo(testCase, path)
        .header("Content-Type", contentType)
        .POST(BodyPublishers.ofString(body));
  }

  private HttpRequest.Builder patch(String testCase, String body) {
    return keyedTo(testCase, "/things")
        .header("Content-Type", "application/json")
        .method("PATCH", BodyPublishers.ofString(body));
  }

  private static HttpRequest.Builder as(String authorization, HttpRequest.Builder request) {
    return request.setHeader("Authorization", authorization);
  }

  /** {@code request} rebuilt without its {@code Authorization} header. */
  private static HttpRequest.Builder anonymous(HttpRequest.Builder request) {
    HttpRequest built = request.build();
    HttpRequest.Builder copy =
        HttpRequest.newBuilder(built.uri())
            .timeout(TIMEOUT)
            .method(built.method(), built.bodyPublisher().orElseThrow());
    built
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (!name.equalsIgnoreCase("Authorization")) {
                values.forEach(value -> copy.header(name, value));
              }
            });
    return copy;
  }

  private static HttpRequest.Builder blocking(HttpRequest.Builder request) {
    return request.header(ContractApplication.BLOCK_HEADER, "true");
  }

  private static HttpRequest.Builder withStatus(HttpRequest.Builder request, String statuses) {
    return request.header(ContractApplication.STATUS_HEADER, statuses);
  }

  protected final HttpResponse<byte[]> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return client.send(request.build(), BodyHandlers.ofByteArray());
  }

  /**
   * Sends {@code request} until it is answered with anything but 409 {@code key-in-flight} (every
   * 409 must be that problem), for at most 20 s: for a key the adapter is about to finish or give
   * back.
   */
  protected final HttpResponse<byte[]> sendUntilNotInFlight(HttpRequest.Builder request) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> send(request),
            response -> {
              if (response.statusCode() != 409) {
                return true;
              }
              assertProblem(response, ProblemType.KEY_IN_FLIGHT);
              return false;
            });
  }

  protected final CompletableFuture<HttpResponse<byte[]>> sendAsync(HttpRequest.Builder request) {
    return client.sendAsync(request.build(), BodyHandlers.ofByteArray());
  }

  /**
   * A JSON POST to {@code /things} over a raw socket with {@code extraHeaderLines} (each ending in
   * CRLF) as sent, for bytes java.net.http will not send; answers the whole response as Latin-1.
   */
  private String sendRaw(Route route, String testCase, byte[] extraHeaderLines) throws IOException {
    URI base = harness.base(route);
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + base.getRawPath()
                  + "/things HTTP/1.1\r\nHost: "
                  + base.getAuthority()
                  + "\r\nConnection: close\r\nAuthorization: "
                  + CALLER
                  + "\r\n"
                  + ContractApplication.CASE_HEADER
                  + ": "
                  + testCase
                  + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(extraHeaderLines);
      out.write("\r\n{}".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static byte[] keyLine(byte[] key) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    line.writeBytes("Idempotency-Key: ".getBytes(StandardCharsets.US_ASCII));
    line.writeBytes(key);
    line.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    return line.toByteArray();
  }

  /**
   * Sends {@code first}, then {@code retry}: the first runs and answers {@code status}, the retry
   * replays it, and the application ran once for {@code testCase}.
   *
   * @return both responses
   */
  private List<HttpResponse<byte[]>> assertRunsOnceThenReplays(
      String testCase, int status, HttpRequest.Builder first, HttpRequest.Builder retry)
      throws IOException, InterruptedException {
    HttpResponse<byte[]> firstResponse = send(first);
    HttpResponse<byte[]> retryResponse = send(retry);

    assertFirstRun(firstResponse, status);
    assertReplayOf(firstResponse, retryResponse);
    assertEquals(1, application.executions(testCase));
    return List.of(firstResponse, retryResponse);
  }

  private static Optional<String> header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name);
  }

  private static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  /** The start of the body, for failure messages. */
  private static String brief(HttpResponse<byte[]> response) {
    String text = text(response);
    return text.length() <= 400 ? text : text.substring(0, 400) + "... (" + text.length() + ")";
  }

  private static void assertFirstRun(HttpResponse<byte[]> response, int status) {
    assertEquals(status, response.statusCode(), () -> brief(response));
    assertEquals(
        Optional.empty(),
        header(response, HttpIdempotency.REPLAYED_HEADER),
        "a first run carries no replay header");
    if (!response.request().method().equals("HEAD")) {
      assertTrue(
          text(response).contains("\"case\":"), () -> "not the application: " + brief(response));
    }
  }

  /** {@code replay} is {@code first} again, marked replayed: status, body bytes, stored headers. */
  private static void assertReplayOf(HttpResponse<byte[]> first, HttpResponse<byte[]> replay) {
    assertEquals(first.statusCode(), replay.statusCode(), () -> brief(replay));
    assertEquals(Optional.of("true"), header(replay, HttpIdempotency.REPLAYED_HEADER), "replayed");
    assertArrayEquals(first.body(), replay.body(), () -> brief(first) + " vs " + brief(replay));
    for (String stored : List.of("Content-Type", "Location", "ETag")) {
      assertEquals(header(first, stored), header(replay, stored), stored + " is replayed as sent");
    }
    assertEquals(List.of(), replay.headers().allValues("Set-Cookie"), "Set-Cookie never replayed");
  }

  private static void assertProblem(HttpResponse<byte[]> response, ProblemType type) {
    String body = text(response);
    assertEquals(type.status(), response.statusCode(), () -> brief(response));
    assertEquals(Optional.of(PROBLEM_TYPE), header(response, "Content-Type"), body);
    assertEquals(Optional.empty(), header(response, HttpIdempotency.REPLAYED_HEADER), body);
    assertEquals(Optional.empty(), header(response, "Link"), "no documentation base is configured");
    assertProblemBody(body, type);
  }

  /** {@code response} is a stored problem of {@code type}, replayed. */
  private static void assertStoredProblem(HttpResponse<byte[]> response, ProblemType type) {
    String body = text(response);
    assertEquals(type.status(), response.statusCode(), () -> brief(response));
    assertEquals(Optional.of(PROBLEM_TYPE), header(response, "Content-Type"), body);
    assertEquals(Optional.of("true"), header(response, HttpIdempotency.REPLAYED_HEADER), body);
    assertProblemBody(body, type);
  }

  private static void assertRawProblem(String response, ProblemType type) {
    assertTrue(response.startsWith("HTTP/1.1 " + type.status() + " "), response);
    String lowerCase = response.toLowerCase(Locale.ROOT);
    assertTrue(lowerCase.contains("content-type: " + PROBLEM_TYPE), response);
    assertProblemBody(response.substring(response.indexOf("\r\n\r\n") + 4), type);
  }

  private static void assertProblemBody(String body, ProblemType type) {
    assertEquals(HttpIdempotency.DEFAULT_PROBLEM_BASE + type.slug(), field(body, "type"), body);
    assertEquals(type.title(), field(body, "title"), body);
    Matcher status = Pattern.compile("\"status\"\\s*:\\s*(\\d+)").matcher(body);
    assertTrue(status.find(), body);
    assertEquals(type.status(), Integer.parseInt(status.group(1)), body);
    assertFalse(field(body, "detail").isBlank(), body);
  }

  /** The value of string member {@code name} of a flat JSON object; fails if there is none. */
  private static String field(String json, String name) {
    Matcher value =
        Pattern.compile("\"" + name + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    assertTrue(value.find(), () -> "no string member \"" + name + "\" in " + json);
    return value.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
  }
}
