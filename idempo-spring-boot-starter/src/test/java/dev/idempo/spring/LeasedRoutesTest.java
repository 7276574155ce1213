package dev.idempo.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempo.spring.testapp.LeasedController;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md §5 through Spring MVC, over real sockets, on the PostgreSQL store: every row of the
 * HTTP contract for {@code @Idempotent} handlers in leased mode.
 */
class LeasedRoutesTest extends PostgresBackedTest {
  private static String newKey() {
    return UUID.randomUUID().toString();
  }

  @Test
  void firstRunThenReplayWithHeaderAndTheSameBody() {
    String key = newKey();
    HttpResponse<String> first = http().post("/orders", "{\"item\":\"" + key + "\"}", "Idempotency-Key", key);
    HttpResponse<String> retry = http().post("/orders", "{\"item\":\"" + key + "\"}", "Idempotency-Key", key);

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(Http.replayed(retry)).isTrue();
    assertThat(retry.body()).isEqualTo(first.body()).contains("\"run\":1");
    assertThat(retry.headers().firstValue("Location")).contains("/orders/" + key);
    assertThat(retry.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    assertThat(executions.count("orders:" + key)).isEqualTo(1);
  }

  @Test
  void setCookieAndUnlistedHeadersAreNeverReplayed() {
    String key = newKey();
    HttpResponse<String> first = http().post("/orders", "{\"item\":\"" + key + "\"}", "Idempotency-Key", key);
    HttpResponse<String> retry = http().post("/orders", "{\"item\":\"" + key + "\"}", "Idempotency-Key", key);

    assertThat(first.headers().firstValue("Set-Cookie")).contains("session=s1; Path=/");
    assertThat(first.headers().firstValue("X-Trace")).contains("trace-1");
    assertThat(Http.replayed(retry)).isTrue();
    assertThat(retry.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(retry.headers().firstValue("X-Trace")).isEmpty();
  }

  @Test
  void missingKeyIs400Problem() {
    HttpResponse<String> response = http().post("/orders", "{\"item\":\"nokey\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(response.body()).contains("\"type\":\"urn:idempo:problem:key-missing\"");
    assertThat(executions.count("orders:nokey")).isZero();
  }

  @Test
  void invalidKeyIs400Problem() {
    HttpResponse<String> response = http().post("/orders", "{\"item\":\"bad\"}", "Idempotency-Key", "a\"b");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("urn:idempo:problem:key-invalid");
  }

  @Test
  void sameKeyOtherPayloadIs422Problem() {
    String key = newKey();
    http().post("/orders", "{\"item\":\"" + key + "\"}", "Idempotency-Key", key);
    HttpResponse<String> other = http().post("/orders", "{\"item\":\"" + key + "-other\"}", "Idempotency-Key", key);

    assertThat(other.statusCode()).isEqualTo(422);
    assertThat(other.body()).contains("urn:idempo:problem:key-mismatch");
    assertThat(executions.count("orders:" + key + "-other")).isZero();
  }

  @Test
  void duplicateWhileTheFirstRunsIs409WithRetryAfterThenReplays() throws Exception {
    String key = newKey();
    LeasedController.slowGate = new CountDownLatch(1);
    LeasedController.slowStarted = new CountDownLatch(1);
    CompletableFuture<HttpResponse<String>> first = http().postAsync("/slow", key, "Idempotency-Key", key);
    assertThat(LeasedController.slowStarted.await(30, TimeUnit.SECONDS)).isTrue();

    HttpResponse<String> duplicate = http().post("/slow", key, "Idempotency-Key", key);
    LeasedController.slowGate.countDown();
    HttpResponse<String> firstResponse = first.get(30, TimeUnit.SECONDS);
    HttpResponse<String> after = http().post("/slow", key, "Idempotency-Key", key);

    assertThat(duplicate.statusCode()).isEqualTo(409);
    assertThat(duplicate.headers().firstValue("Retry-After")).isPresent();
    assertThat(duplicate.body()).contains("urn:idempo:problem:key-in-flight");
    assertThat(firstResponse.statusCode()).isEqualTo(200);
    assertThat(Http.replayed(after)).isTrue();
    assertThat(after.body()).isEqualTo(firstResponse.body());
    assertThat(executions.count("slow:" + key)).isEqualTo(1);
  }

  @Test
  void twoHundredConcurrentRequestsWithOneKeyRunTheHandlerOnce() throws Exception {
    String key = newKey();
    String body = "{\"item\":\"" + key + "\"}";
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      sent.add(http().postAsync("/orders", body, "Idempotency-Key", key));
    }
    int firstRuns = 0;
    int replays = 0;
    int inFlight = 0;
    String firstBody = null;
    List<String> replayBodies = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> future : sent) {
      HttpResponse<String> response = future.get(60, TimeUnit.SECONDS);
      if (response.statusCode() == 409) {
        inFlight++;
        assertThat(response.body()).contains("key-in-flight");
      } else {
        assertThat(response.statusCode()).isEqualTo(201);
        if (Http.replayed(response)) {
          replays++;
          replayBodies.add(response.body());
        } else {
          firstRuns++;
          firstBody = response.body();
        }
      }
    }

    assertThat(executions.count("orders:" + key)).isEqualTo(1);
    assertThat(firstRuns).isEqualTo(1);
    assertThat(firstRuns + replays + inFlight).isEqualTo(200);
    assertThat(firstBody).contains("\"run\":1");
    String original = firstBody;
    assertThat(replayBodies).allSatisfy(replay -> assertThat(replay).isEqualTo(original));
  }

  @Test
  void twoPrincipalsWithOneKeyRunTwiceAndNeverSeeEachOthersAnswer() {
    String key = newKey();
    HttpResponse<String> alice = http().post("/whoami", "{}", "Idempotency-Key", key, "Authorization", "Bearer alice-" + key);
    HttpResponse<String> bob = http().post("/whoami", "{}", "Idempotency-Key", key, "Authorization", "Bearer bob-" + key);
    HttpResponse<String> aliceAgain = http().post("/whoami", "{}", "Idempotency-Key", key, "Authorization", "Bearer alice-" + key);
    HttpResponse<String> bobAgain = http().post("/whoami", "{}", "Idempotency-Key", key, "Authorization", "Bearer bob-" + key);

    assertThat(Http.replayed(alice)).isFalse();
    assertThat(Http.replayed(bob)).isFalse();
    assertThat(alice.body()).contains("alice-" + key).doesNotContain("bob");
    assertThat(bob.body()).contains("bob-" + key).doesNotContain("alice");
    assertThat(aliceAgain.body()).isEqualTo(alice.body());
    assertThat(bobAgain.body()).isEqualTo(bob.body());
    assertThat(Http.replayed(aliceAgain) && Http.replayed(bobAgain)).isTrue();
    assertThat(executions.count("whoami:Bearer alice-" + key)).isEqualTo(1);
    assertThat(executions.count("whoami:Bearer bob-" + key)).isEqualTo(1);
  }

  @Test
  void a503IsReleasedSoTheRetryRunsAgain() {
    String key = newKey();
    LeasedController.flakyFailures.set(1);
    HttpResponse<String> busy = http().post("/flaky", key, "Idempotency-Key", key);
    HttpResponse<String> retry = http().post("/flaky", key, "Idempotency-Key", key);
    HttpResponse<String> again = http().post("/flaky", key, "Idempotency-Key", key);

    assertThat(busy.statusCode()).isEqualTo(503);
    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(Http.replayed(retry)).isFalse();
    assertThat(retry.body()).contains("\"run\":2");
    assertThat(Http.replayed(again)).isTrue();
    assertThat(executions.count("flaky:" + key)).isEqualTo(2);
  }

  @Test
  void a500IsStoredAndReplayed() {
    String key = newKey();
    HttpResponse<String> first = http().post("/broken", key, "Idempotency-Key", key);
    HttpResponse<String> retry = http().post("/broken", key, "Idempotency-Key", key);

    assertThat(first.statusCode()).isEqualTo(500);
    assertThat(retry.statusCode()).isEqualTo(500);
    assertThat(Http.replayed(retry)).isTrue();
    assertThat(retry.body()).isEqualTo(first.body());
    assertThat(executions.count("broken:" + key)).isEqualTo(1);
  }

  @Test
  void aHandlerThatThrowsLeavesAnUnknownOutcomeThatIsNeverRunAgain() {
    String key = newKey();
    HttpResponse<String> first = http().post("/explode", key, "Idempotency-Key", key);
    HttpResponse<String> retry = http().post("/explode", key, "Idempotency-Key", key);

    assertThat(first.statusCode()).isEqualTo(500);
    assertThat(retry.statusCode()).isEqualTo(502);
    assertThat(retry.body()).contains("urn:idempo:problem:outcome-unknown");
    assertThat(executions.count("explode:" + key)).isEqualTo(1);
  }

  @Test
  void pathVariablesMatchExactlyTheHandlersPaths() {
    String key = newKey();
    HttpResponse<String> first = http().post("/orders/a1/items", "x", "Idempotency-Key", key);
    HttpResponse<String> replay = http().post("/orders/a1/items", "x", "Idempotency-Key", key);
    HttpResponse<String> otherOrder = http().post("/orders/b2/items", "x", "Idempotency-Key", key);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(Http.replayed(replay)).isTrue();
    // One route, one key: another path is another request (its fingerprint holds the path).
    assertThat(otherOrder.statusCode()).isEqualTo(422);
    assertThat(executions.count("items:a1")).isEqualTo(1);
    assertThat(executions.count("items:b2")).isZero();
  }

  @Test
  void optionalKeyAndUnguardedHandlersRunEveryTime() {
    String body = newKey();
    http().post("/optional", body);
    http().post("/optional", body);
    http().post("/unguarded", body, "Idempotency-Key", body);
    http().post("/unguarded", body, "Idempotency-Key", body);
    HttpResponse<String> withKey = http().post("/optional", body, "Idempotency-Key", body);
    HttpResponse<String> withKeyAgain = http().post("/optional", body, "Idempotency-Key", body);

    assertThat(executions.count("unguarded:" + body)).isEqualTo(2);
    assertThat(executions.count("optional:" + body)).isEqualTo(3);
    assertThat(Http.replayed(withKey)).isFalse();
    assertThat(Http.replayed(withKeyAgain)).isTrue();
    assertThat(http().get("/orders").statusCode()).isEqualTo(200);
  }

  @Test
  void metricsCountEveryOutcomeAndTimeStoreCalls() throws Exception {
    double executed = count("executed");
    double replayed = count("replayed");
    double released = count("released");
    double mismatch = count("mismatch");
    double inFlight = count("in-flight");
    long claims = meters.get("idempo.store.calls").tag("call", "claim").tag("exception", "none").timer().count();

    String key = newKey();
    http().post("/orders", "{\"item\":\"" + key + "\"}", "Idempotency-Key", key);
    http().post("/orders", "{\"item\":\"" + key + "\"}", "Idempotency-Key", key);
    http().post("/orders", "{\"item\":\"other\"}", "Idempotency-Key", key);
    LeasedController.flakyFailures.set(1);
    http().post("/flaky", key, "Idempotency-Key", key);
    LeasedController.slowGate = new CountDownLatch(1);
    LeasedController.slowStarted = new CountDownLatch(1);
    CompletableFuture<HttpResponse<String>> slow = http().postAsync("/slow", key, "Idempotency-Key", key);
    assertThat(LeasedController.slowStarted.await(30, TimeUnit.SECONDS)).isTrue();
    http().post("/slow", key, "Idempotency-Key", key);
    LeasedController.slowGate.countDown();
    slow.get(30, TimeUnit.SECONDS);

    assertThat(count("executed") - executed).isEqualTo(2); // /orders and /slow
    assertThat(count("replayed") - replayed).isEqualTo(1);
    assertThat(count("mismatch") - mismatch).isEqualTo(1);
    assertThat(count("released") - released).isEqualTo(1);
    assertThat(count("in-flight") - inFlight).isEqualTo(1);
    assertThat(meters.get("idempo.store.calls").tag("call", "claim").tag("exception", "none").timer().count() - claims)
        .isEqualTo(6);
    assertThat(meters.get("idempo.store.calls").tag("call", "complete").timer().totalTime(TimeUnit.NANOSECONDS)).isPositive();
  }

  private double count(String outcome) {
    return meters.get("idempo.requests").tag("outcome", outcome).counter().count();
  }
}
