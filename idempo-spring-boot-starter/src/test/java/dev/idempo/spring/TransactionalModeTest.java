package dev.idempo.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempo.IdempotencyKey;
import dev.idempo.Scope;
import dev.idempo.http.IncomingRequest;
import dev.idempo.http.TenantSource;
import dev.idempo.spring.testapp.TransactionalController;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code @Idempotent(transactional = true)} on PostgreSQL: the key's row joins the handler's
 * transaction, so a failure leaves nothing and a retry runs once.
 */
class TransactionalModeTest extends PostgresBackedTest {
  private static String body(String id) {
    return "{\"id\":\"" + id + "\",\"amount\":1250}";
  }

  private int paymentRows(String id) {
    return jdbc.queryForObject("SELECT COUNT(*) FROM tx_payments WHERE id = ?", Integer.class, id);
  }

  /** The key's row, found by its storage key: the default caller's tenant, route /tx/payments. */
  private int keyRows(String route, String key) {
    String tenant =
        TenantSource.authorizationHash()
            .tenant(
                IncomingRequest.of(
                    "POST",
                    route,
                    "",
                    Map.of("Authorization", List.of(Http.DEFAULT_CALLER)),
                    new byte[0]));
    byte[] storageKey =
        Scope.of(tenant, "POST " + route).storageKey(IdempotencyKey.of(key)).toBytes();
    return jdbc.queryForObject(
        "SELECT COUNT(*) FROM idempo_records WHERE storage_key = ?", Integer.class, storageKey);
  }

  @Test
  void aHandlerThatThrowsAfterItsInsertLeavesNothingAndTheRetryRunsOnce() {
    String id = UUID.randomUUID().toString();
    TransactionalController.throwAfterInsert.set(1);

    HttpResponse<String> failed = http().post("/tx/payments", body(id), "Idempotency-Key", id);

    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(executionsOf(id)).isEqualTo(1);
    assertThat(paymentRows(id)).isZero();
    assertThat(keyRows("/tx/payments", id)).isZero();

    HttpResponse<String> retry = http().post("/tx/payments", body(id), "Idempotency-Key", id);
    HttpResponse<String> again = http().post("/tx/payments", body(id), "Idempotency-Key", id);

    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(Http.replayed(retry)).isFalse();
    assertThat(retry.body()).contains("\"run\":2");
    assertThat(again.statusCode()).isEqualTo(201);
    assertThat(Http.replayed(again)).isTrue();
    assertThat(again.body()).isEqualTo(retry.body());
    assertThat(again.headers().firstValue("Location")).contains("/tx/payments/" + id);
    assertThat(again.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(retry.headers().allValues("Set-Cookie")).isNotEmpty();
    assertThat(paymentRows(id)).isEqualTo(1);
    assertThat(keyRows("/tx/payments", id)).isEqualTo(1);
    assertThat(executionsOf(id)).isEqualTo(2);
  }

  @Test
  void aReleasedStatusRollsTheInsertBackAndTheRetryRuns() {
    String id = UUID.randomUUID().toString();
    TransactionalController.unavailableAfterInsert.set(1);

    HttpResponse<String> busy = http().post("/tx/payments", body(id), "Idempotency-Key", id);
    assertThat(busy.statusCode()).isEqualTo(503);
    assertThat(paymentRows(id)).isZero();
    assertThat(keyRows("/tx/payments", id)).isZero();

    HttpResponse<String> retry = http().post("/tx/payments", body(id), "Idempotency-Key", id);
    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(paymentRows(id)).isEqualTo(1);
  }

  @Test
  void concurrentDuplicatesWaitForTheFirstTransactionAndReplayIt() throws Exception {
    String id = UUID.randomUUID().toString();
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      sent.add(http().postAsync("/tx/payments", body(id), "Idempotency-Key", id));
    }
    int firstRuns = 0;
    List<String> bodies = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> future : sent) {
      HttpResponse<String> response = future.get(60, TimeUnit.SECONDS);
      assertThat(response.statusCode())
          .isEqualTo(201); // never 409: duplicates wait on the row lock
      firstRuns += Http.replayed(response) ? 0 : 1;
      bodies.add(response.body());
    }

    assertThat(firstRuns).isEqualTo(1);
    assertThat(bodies).allSatisfy(b -> assertThat(b).isEqualTo(bodies.get(0)));
    assertThat(paymentRows(id)).isEqualTo(1);
    assertThat(executionsOf(id)).isEqualTo(1);
  }

  @Test
  void mismatchAndMissingKeyAreProblems() {
    String id = UUID.randomUUID().toString();
    http().post("/tx/payments", body(id), "Idempotency-Key", id);

    HttpResponse<String> other =
        http().post("/tx/payments", "{\"id\":\"" + id + "\",\"amount\":9}", "Idempotency-Key", id);
    HttpResponse<String> missing = http().post("/tx/payments", body(id));

    assertThat(other.statusCode()).isEqualTo(422);
    assertThat(other.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(other.body()).contains("urn:idempo:problem:key-mismatch");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.body()).contains("urn:idempo:problem:key-missing");
    assertThat(paymentRows(id)).isEqualTo(1);
  }

  @Test
  void aPlainBodyHandlerWithoutTransactionalIsReplayedWithItsResponseStatus() {
    String id = UUID.randomUUID().toString();
    HttpResponse<String> first = http().post("/tx/plain", body(id), "Idempotency-Key", id);
    HttpResponse<String> retry = http().post("/tx/plain", body(id), "Idempotency-Key", id);

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(Http.replayed(retry)).isTrue();
    assertThat(retry.body()).isEqualTo(first.body());
    assertThat(paymentRows(id)).isEqualTo(1);
    assertThat(keyRows("plain-payments", id)).isEqualTo(1);
  }

  @Test
  void transactionalOutcomesAreCounted() {
    double executed = meters.get("idempo.requests").tag("outcome", "executed").counter().count();
    double replayed = meters.get("idempo.requests").tag("outcome", "replayed").counter().count();
    String id = UUID.randomUUID().toString();
    http().post("/tx/plain", body(id), "Idempotency-Key", id);
    http().post("/tx/plain", body(id), "Idempotency-Key", id);

    assertThat(
            meters.get("idempo.requests").tag("outcome", "executed").counter().count() - executed)
        .isEqualTo(1);
    assertThat(
            meters.get("idempo.requests").tag("outcome", "replayed").counter().count() - replayed)
        .isEqualTo(1);
  }

  private int executionsOf(String id) {
    return executions.count("tx:" + id);
  }
}
