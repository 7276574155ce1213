package dev.idempo.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, item 2, in the starter: callers without Authorization shared one key space, so a second
 * caller sending the first caller's key and request got the first caller's stored response. Now the
 * request is refused with 400 tenant-required, in leased and in transactional mode.
 */
class TenantTest extends PostgresBackedTest {

  @Test
  void callersWithoutAuthorizationNoLongerShareOneKeySpace() {
    String key = UUID.randomUUID().toString();
    String order = "{\"item\":\"" + key + "\"}";

    HttpResponse<String> alice =
        http()
            .post(
                "/orders", order, "Idempotency-Key", key, Http.ANONYMOUS, "1", "Cookie", "s=alice");
    HttpResponse<String> mallory =
        http()
            .post(
                "/orders",
                order,
                "Idempotency-Key",
                key,
                Http.ANONYMOUS,
                "1",
                "Cookie",
                "s=mallory");

    assertTenantRequired(alice);
    assertTenantRequired(mallory);
    assertThat(executions.count("orders:" + key)).isZero();
  }

  @Test
  void transactionalHandlersRefuseCallersWithoutATenantToo() {
    String id = UUID.randomUUID().toString();
    String payment = "{\"id\":\"" + id + "\",\"amount\":1250}";

    HttpResponse<String> anonymous =
        http().post("/tx/payments", payment, "Idempotency-Key", id, Http.ANONYMOUS, "1");

    assertTenantRequired(anonymous);
    assertThat(
            jdbc.queryForObject("SELECT COUNT(*) FROM tx_payments WHERE id = ?", Integer.class, id))
        .isZero();
  }

  private static void assertTenantRequired(HttpResponse<String> response) {
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(response.body()).contains("\"type\":\"urn:idempo:problem:tenant-required\"");
    assertThat(response.body()).contains("idempo.tenant.source");
    assertThat(Http.replayed(response)).isFalse();
  }
}
