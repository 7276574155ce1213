package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.testsupport.RedisServer;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin listener: {@code /health} reads the store, {@code /metrics} counts every outcome. */
class AdminTest {
  private TestUpstream upstream;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
  }

  @AfterEach
  void stopUpstream() {
    upstream.close();
  }

  @Test
  void metricsCountRequestsByOutcomeAndTimeStoreCalls() throws Exception {
    try (Gateway gateway = start(StoreLocation.memory())) {
      Requests requests = new Requests(gateway.uri());
      requests.post("/orders", "m-1", "{}");
      requests.post("/orders", "m-1", "{}");
      requests.post("/orders", "m-1", "{\"other\":true}");
      requests.send("GET", "/orders", null, null);
      requests.post("/orders", "k".repeat(300), "{}");

      HttpResponse<String> metrics = admin(gateway).send("GET", "/metrics", null, null);

      assertEquals(200, metrics.statusCode());
      assertTrue(
          metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
          metrics.headers().toString());
      String text = metrics.body();
      assertMetric(text, "idempo_gateway_requests_total{outcome=\"executed\"} 1.0");
      assertMetric(text, "idempo_gateway_requests_total{outcome=\"replayed\"} 1.0");
      assertMetric(text, "idempo_gateway_requests_total{outcome=\"mismatch\"} 1.0");
      assertMetric(text, "idempo_gateway_requests_total{outcome=\"passthrough\"} 1.0");
      assertMetric(text, "idempo_gateway_requests_total{outcome=\"problem\"} 1.0");
      assertMetric(text, "idempo_gateway_requests_total{outcome=\"in_flight\"} 0.0");
      assertMetric(text, "idempo_gateway_requests_in_flight 0.0");
      assertMetric(text, "idempo_store_calls_seconds_count{call=\"claim\",result=\"success\"} 3");
      assertMetric(
          text, "idempo_store_calls_seconds_count{call=\"complete\",result=\"success\"} 1");
      assertMetric(text, "idempo_executions_total{outcome=\"executed\"} 1.0");
    }
  }

  @Test
  void healthIs200WhileTheStoreAnswersAnd503WithAReasonWhenItDoesNot() throws Exception {
    RedisServer redis = RedisServer.start();
    try (Gateway gateway = start(StoreLocation.parse(redis.uri()))) {
      Requests admin = admin(gateway);

      HttpResponse<String> up = admin.send("GET", "/health", null, null);
      redis.stop();
      HttpResponse<String> down = admin.send("GET", "/health", null, null);
      HttpResponse<String> refused = new Requests(gateway.uri()).post("/orders", "h-1", "{}");

      assertEquals(200, up.statusCode(), up.body());
      assertEquals("{\"status\":\"UP\",\"store\":\"" + redis.uri() + "\"}", up.body());
      assertEquals(503, down.statusCode(), down.body());
      assertTrue(down.body().startsWith("{\"status\":\"DOWN\""), down.body());
      assertTrue(down.body().contains("\"reason\":"), down.body());
      GatewayTest.assertProblem(refused, 503, "store-unavailable");
      assertEquals(0, upstream.executions(), "never forwarded unprotected");
    } finally {
      redis.stop();
    }
  }

  @Test
  void otherAdminPathsAre404AndTheGatewayDoesNotServeAdminPaths() throws Exception {
    try (Gateway gateway = start(StoreLocation.memory())) {
      assertEquals(404, admin(gateway).send("GET", "/other", null, null).statusCode());
      HttpResponse<String> proxied =
          new Requests(gateway.uri()).send("GET", "/metrics", null, null);
      assertEquals(201, proxied.statusCode(), "the main port forwards /metrics to the upstream");
      assertEquals(Optional.of("yes"), proxied.headers().firstValue("X-Upstream"));
    }
  }

  private Gateway start(StoreLocation store) {
    Gateway gateway =
        new Gateway(
            TestEngine.builder(upstream.uri())
                .listen("127.0.0.1", 0)
                .storeLocation(store)
                .admin("127.0.0.1", 0)
                .build());
    gateway.start();
    return gateway;
  }

  private static Requests admin(Gateway gateway) {
    return new Requests(URI.create("http://127.0.0.1:" + gateway.adminPort().orElseThrow()));
  }

  private static void assertMetric(String text, String line) {
    assertTrue(
        text.lines().anyMatch(l -> l.equals(line) || l.startsWith(line)),
        "missing " + line + " in:\n" + text);
  }
}
