package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.FingerprintMismatchException;
import dev.idempo.IdempotencyKey;
import dev.idempo.KeyInFlightException;
import dev.idempo.Scope;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.store.tck.OutageStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpIdempotency#prepare} and {@link HttpIdempotency#problem(IdempotencyRoute,
 * RuntimeException)}.
 */
class HttpIdempotencyPrepareTest {
  private final OutageStore store = new OutageStore(InMemoryIdempotencyStore.create());
  private final IdempotencyRoute route =
      IdempotencyRoute.builder("/payments").name("payments").build();
  private final HttpIdempotency http =
      HttpIdempotency.builder(store).route(route).maxRequestBodyBytes(8).build();

  private static IncomingRequest post(String path, String body, String... headers) {
    Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 0; i < headers.length; i += 2) {
      map.computeIfAbsent(headers[i], n -> new ArrayList<>()).add(headers[i + 1]);
    }
    return IncomingRequest.of("POST", path, "", map, body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aGuardedRequestWithAKeyIsReadyToClaimWithBeginsScopeAndFingerprintAndNothingStored()
      throws Exception {
    Decision.Claim claim =
        assertInstanceOf(
            Decision.Claim.class,
            http.prepare(
                post("/payments", "{}", "Idempotency-Key", "\"k1\"", "Authorization", "Bearer a")));

    assertSame(route, claim.route());
    assertEquals(IdempotencyKey.of("k1"), claim.key());
    String tenant =
        TenantSource.authorizationHash().tenant(post("/payments", "", "Authorization", "Bearer a"));
    assertEquals(Scope.of(tenant, "POST payments"), claim.scope());
    assertEquals(
        route
            .fingerprinter()
            .fingerprint("POST", "/payments", "", null, "{}".getBytes(StandardCharsets.UTF_8)),
        claim.fingerprint());
    assertEquals(0, store.calls(), "prepare never reaches the store");
  }

  @Test
  void everyOtherRequestGetsTheDecisionBeginGives() throws Exception {
    assertInstanceOf(
        Decision.PassThrough.class, http.prepare(post("/other", "{}", "Idempotency-Key", "k")));
    assertEquals(
        Optional.of(ProblemType.KEY_MISSING),
        assertInstanceOf(Decision.Respond.class, http.prepare(post("/payments", "{}"))).problem());
    assertEquals(
        Optional.of(ProblemType.BODY_TOO_LARGE),
        assertInstanceOf(
                Decision.Respond.class,
                http.prepare(
                    post("/payments", "123456789", "Idempotency-Key", "k", "Authorization", "a")))
            .problem());
    assertEquals(
        Optional.of(ProblemType.TENANT_REQUIRED),
        assertInstanceOf(
                Decision.Respond.class,
                http.prepare(post("/payments", "{}", "Idempotency-Key", "k")))
            .problem());
    assertEquals(0, store.calls());
  }

  @Test
  void aFailedClaimIsAnsweredWithBeginsProblem() {
    Decision.Respond inFlight =
        http.problem(route, new KeyInFlightException(Duration.ofMillis(1500)));
    Decision.Respond mismatch = http.problem(route, new FingerprintMismatchException());
    Decision.Respond down = http.problem(route, new StoreUnavailableException("down", null));
    Decision.Respond unreadable =
        http.problem(route, new StoredResponseUnreadableException("bad bytes"));

    assertEquals(Optional.of(ProblemType.KEY_IN_FLIGHT), inFlight.problem());
    assertEquals(
        List.of("2"),
        inFlight.response().headers().get("Retry-After"),
        "whole seconds, rounded up");
    assertTrue(
        new String(inFlight.response().body(), StandardCharsets.UTF_8).contains("retry in 2 s"));
    assertEquals(Optional.of(ProblemType.KEY_MISMATCH), mismatch.problem());
    assertEquals(Optional.of(ProblemType.STORE_UNAVAILABLE), down.problem());
    assertEquals(Optional.of(ProblemType.STORED_RESPONSE_UNREADABLE), unreadable.problem());
  }

  @Test
  void aFailureThatIsNotAFailedClaimIsAnInternalErrorNotAnUnreadableRecord() {
    Decision.Respond bug = http.problem(route, new UnsupportedOperationException("a bug"));

    assertEquals(Optional.of(ProblemType.INTERNAL_ERROR), bug.problem());
    assertEquals(500, bug.response().status());
  }
}
