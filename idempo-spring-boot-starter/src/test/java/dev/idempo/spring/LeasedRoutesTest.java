package dev.idempo.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempo.spring.testapp.LeasedController;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code @Idempotent} handlers in leased mode through Spring MVC, over real sockets, on the
 * PostgreSQL store: what is particular to the starter (handler matching, unguarded handlers,
 * metrics). The rows of the HTTP contract are in {@link StarterLeasedHttpContractTest}.
 */
class LeasedRoutesTest extends PostgresBackedTest {
  private static String newKey() {
    return UUID.randomUUID().toString();
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
    long claims =
        meters
            .get("idempo.store.calls")
            .tag("call", "claim")
            .tag("exception", "none")
            .timer()
            .count();

    String key = newKey();
    http().post("/orders", "{\"item\":\"" + key + "\"}", "Idempotency-Key", key);
    http().post("/orders", "{\"item\":\"" + key + "\"}", "Idempotency-Key", key);
    http().post("/orders", "{\"item\":\"other\"}", "Idempotency-Key", key);
    LeasedController.flakyFailures.set(1);
    http().post("/flaky", key, "Idempotency-Key", key);
    LeasedController.slowGate = new CountDownLatch(1);
    LeasedController.slowStarted = new CountDownLatch(1);
    CompletableFuture<HttpResponse<String>> slow =
        http().postAsync("/slow", key, "Idempotency-Key", key);
    assertThat(LeasedController.slowStarted.await(30, TimeUnit.SECONDS)).isTrue();
    http().post("/slow", key, "Idempotency-Key", key);
    LeasedController.slowGate.countDown();
    slow.get(30, TimeUnit.SECONDS);

    assertThat(count("executed") - executed).isEqualTo(2); // /orders and /slow
    assertThat(count("replayed") - replayed).isEqualTo(1);
    assertThat(count("mismatch") - mismatch).isEqualTo(1);
    assertThat(count("released") - released).isEqualTo(1);
    assertThat(count("in-flight") - inFlight).isEqualTo(1);
    assertThat(
            meters
                    .get("idempo.store.calls")
                    .tag("call", "claim")
                    .tag("exception", "none")
                    .timer()
                    .count()
                - claims)
        .isEqualTo(6);
    assertThat(
            meters
                .get("idempo.store.calls")
                .tag("call", "complete")
                .timer()
                .totalTime(TimeUnit.NANOSECONDS))
        .isPositive();
  }

  private double count(String outcome) {
    return meters.get("idempo.requests").tag("outcome", outcome).counter().count();
  }
}
