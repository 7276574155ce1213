package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.concurrent.atomic.AtomicInteger;
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

  /**
   * The Netty gateway calls prepare with the request head (the body read throws: not there yet),
   * then begin, which prepares again, once the body arrived: the credential was hashed both times.
   */
  @Test
  void theTenantIsHashedOnceWhenPrepareRunsBeforeTheBodyArrivesAndAgainAfter() throws Exception {
    AtomicInteger hashes = new AtomicInteger();
    HashedTenantSource counting =
        new HashedTenantSource() {
          @Override
          public String tenant(IncomingRequest request) {
            hashes.incrementAndGet();
            return TenantSource.authorizationHash().tenant(request);
          }

          @Override
          public boolean present(IncomingRequest request) {
            return !request.headers("Authorization").isEmpty();
          }
        };
    HttpIdempotency counted =
        HttpIdempotency.builder(store)
            .route(
                IdempotencyRoute.builder("/payments")
                    .name("payments")
                    .tenantSource(counting)
                    .build())
            .build();
    ArrivingBody request = new ArrivingBody("Idempotency-Key", "k", "Authorization", "Bearer a");

    assertThrows(BodyNotYetRead.class, () -> counted.prepare(request));
    request.arrived = true;
    Decision.Claim claim = assertInstanceOf(Decision.Claim.class, counted.prepare(request));

    assertEquals(1, hashes.get());
    assertEquals(
        Scope.of(TenantSource.authorizationHash().tenant(request), "POST payments"), claim.scope());
  }

  @Test
  void aHashedTenantsCredentialIsLookedForBeforeTheBodyIsRead() throws Exception {
    assertInstanceOf(HashedTenantSource.class, TenantSource.authorizationHash());
    assertInstanceOf(HashedTenantSource.class, TenantSource.parse("cookie:session"));

    Decision.Respond refused =
        assertInstanceOf(
            Decision.Respond.class,
            http.prepare(new ArrivingBody("Idempotency-Key", "k", "Cookie", "session=s")));

    assertEquals(Optional.of(ProblemType.TENANT_REQUIRED), refused.problem(), "body never read");
  }

  /** Thrown by {@link ArrivingBody} until its body arrived, as the gateway's head-only request. */
  private static final class BodyNotYetRead extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  /** {@code POST /payments} whose body is not there until {@link #arrived}. */
  private static final class ArrivingBody implements IncomingRequest {
    private final IncomingRequest request;
    boolean arrived;

    ArrivingBody(String... headers) {
      this.request = post("/payments", "{}", headers);
    }

    @Override
    public String method() {
      return request.method();
    }

    @Override
    public String path() {
      return request.path();
    }

    @Override
    public String query() {
      return request.query();
    }

    @Override
    public List<String> headers(String name) {
      return request.headers(name);
    }

    @Override
    public byte[] body(int limit) throws java.io.IOException {
      if (!arrived) {
        throw new BodyNotYetRead();
      }
      return request.body(limit);
    }
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
