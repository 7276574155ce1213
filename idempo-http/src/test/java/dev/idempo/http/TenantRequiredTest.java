package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.InMemoryIdempotencyStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, item 2: callers the tenant source cannot tell apart shared one key space, so one
 * caller's key and request replayed another caller's stored response. Now such a request is refused
 * with 400 tenant-required, unless the operator chose one shared key space.
 */
class TenantRequiredTest {
  private final InMemoryIdempotencyStore store = InMemoryIdempotencyStore.create();

  private HttpIdempotency http(TenantSource tenant) {
    IdempotencyRoute.Builder route = IdempotencyRoute.builder("/charges");
    if (tenant != null) {
      route.tenantSource(tenant);
    }
    return HttpIdempotency.builder(store).route(route.build()).build();
  }

  private static IncomingRequest post(String key, String... headers) {
    Map<String, List<String>> map = new java.util.LinkedHashMap<>();
    map.put("Idempotency-Key", List.of(key));
    map.put("Content-Type", List.of("application/json"));
    for (int i = 0; i < headers.length; i += 2) {
      map.put(headers[i], List.of(headers[i + 1]));
    }
    return IncomingRequest.of(
        "POST", "/charges", "", map, "{\"amount\":1000}".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void callersWithoutAuthorizationNoLongerShareOneKeySpace() throws IOException {
    HttpIdempotency http = http(null); // the default: a hash of Authorization

    Decision first = http.begin(post("k-1", "Cookie", "session=alice"));
    Decision second = http.begin(post("k-1", "Cookie", "session=mallory"));

    assertTenantRequired(first);
    assertTenantRequired(second);
    assertEquals(0, store.size(), "nothing was claimed");
  }

  @Test
  void theProblemSaysWhatIsMissingAndWhichSettingChoosesTheSource() throws IOException {
    Decision.Respond refused = assertTenantRequired(http(null).begin(post("k-1")));
    String body = new String(refused.response().body(), StandardCharsets.UTF_8);

    assertTrue(body.contains("an Authorization header"), body);
    assertTrue(body.contains("--tenant"), body);
    assertTrue(body.contains("idempo.tenant.source"), body);
    assertTrue(body.contains("none"), body);
  }

  @Test
  void aTenantHeaderThatIsAbsentNoLongerSharesOneKeySpace() throws IOException {
    HttpIdempotency http = http(TenantSource.header("X-User-Id"));

    Decision.Respond refused =
        assertTenantRequired(http.begin(post("k-2", "Authorization", "Bearer alice")));

    assertTrue(
        new String(refused.response().body(), StandardCharsets.UTF_8).contains("X-User-Id header"));
    assertInstanceOf(Decision.Proceed.class, http.begin(post("k-2", "X-User-Id", "alice")));
  }

  @Test
  void aCustomSourceThatAnswersNothingIsRefusedToo() throws IOException {
    assertTenantRequired(http(request -> "").begin(post("k-3")));
  }

  @Test
  void anOperatorWhoChoseOneSharedKeySpaceGetsIt() throws IOException {
    HttpIdempotency http = http(TenantSource.parse("none"));

    HttpAttempt first = assertInstanceOf(Decision.Proceed.class, http.begin(post("k-4"))).attempt();
    first.complete(
        CapturedResponse.builder(201).body("charged".getBytes(StandardCharsets.UTF_8)).build());
    Decision.Respond replay =
        assertInstanceOf(Decision.Respond.class, http.begin(post("k-4", "Cookie", "s=other")));

    assertEquals(201, replay.response().status());
    assertEquals(Optional.empty(), replay.problem());
  }

  @Test
  void requestsWithoutAKeyStillPassThroughWhenTheKeyIsOptional() throws IOException {
    HttpIdempotency http =
        HttpIdempotency.builder(store)
            .route(IdempotencyRoute.builder("/charges").keyRequired(false).build())
            .build();
    IncomingRequest unkeyed = IncomingRequest.of("POST", "/charges", "", Map.of(), new byte[0]);

    assertInstanceOf(Decision.PassThrough.class, http.begin(unkeyed));
  }

  private static Decision.Respond assertTenantRequired(Decision decision) {
    Decision.Respond respond = assertInstanceOf(Decision.Respond.class, decision);
    assertEquals(Optional.of(ProblemType.TENANT_REQUIRED), respond.problem());
    assertEquals(400, respond.response().status());
    String body = new String(respond.response().body(), StandardCharsets.UTF_8);
    assertTrue(body.contains("\"type\":\"urn:idempo:problem:tenant-required\""), body);
    return respond;
  }
}
