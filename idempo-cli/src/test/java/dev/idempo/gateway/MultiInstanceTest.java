package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.testsupport.PostgresServer;
import dev.idempo.testsupport.RedisServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway processes sharing one store behave as one: 500 concurrent requests with one key,
 * split across both, reach the upstream exactly once; every other answer is a replay or a 409.
 */
class MultiInstanceTest {
  private static final int REQUESTS = 500;

  @TempDir Path directory;
  private TestUpstream upstream;

  @BeforeEach
  void startUpstream() throws IOException {
    upstream = TestUpstream.start();
  }

  @AfterEach
  void stopUpstream() {
    upstream.close();
  }

  @Test
  void twoGatewaysOnOneRedisExecuteOnce() throws Exception {
    assertOneExecution(RedisServer.shared().uri());
  }

  @Test
  void twoGatewaysOnOnePostgresqlExecuteOnce() throws Exception {
    PostgresServer postgres = PostgresServer.shared();
    String url = postgres.createDatabase("gateway_multi_instance") + "?user=" + postgres.user();
    assertOneExecution(url);
  }

  private void assertOneExecution(String store) throws Exception {
    String[] args = {
      "--listen", "127.0.0.1:0", "--upstream", upstream.uri().toString(), "--store", store
    };
    try (GatewayProcess a = GatewayProcess.start(directory, args);
        GatewayProcess b = GatewayProcess.start(directory, args)) {
      a.awaitReady(Duration.ofSeconds(30));
      b.awaitReady(Duration.ofSeconds(30));
      List<Requests> gateways = List.of(new Requests(a.uri()), new Requests(b.uri()));

      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        answers.add(
            gateways
                .get(i % 2)
                .postAsync("/slow/100", "one-key-" + store.hashCode(), "{\"amount\":42}"));
      }
      Map<String, Integer> outcomes = new TreeMap<>();
      String firstBody = null;
      for (CompletableFuture<HttpResponse<String>> answer : answers) {
        HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
        boolean replayed = response.headers().firstValue("Idempotent-Replayed").isPresent();
        String outcome = response.statusCode() + (replayed ? " replayed" : "");
        outcomes.merge(outcome, 1, Integer::sum);
        if (response.statusCode() == 201) {
          if (firstBody == null) {
            firstBody = response.body();
          }
          assertEquals(firstBody, response.body(), "every replay is the first response");
        } else {
          GatewayTest.assertProblem(response, 409, "key-in-flight");
        }
      }

      System.out.println(
          "two gateways on "
              + store.replaceAll("\\?.*", "")
              + ", "
              + REQUESTS
              + " requests, one key: "
              + outcomes);
      assertEquals(1, upstream.executions(), "outcomes: " + outcomes);
      assertEquals(1, outcomes.getOrDefault("201", 0), "exactly one first run: " + outcomes);
      assertEquals(REQUESTS, outcomes.values().stream().mapToInt(Integer::intValue).sum());
      assertTrue(
          outcomes.keySet().stream()
              .allMatch(o -> o.equals("201") || o.equals("201 replayed") || o.equals("409")),
          outcomes.toString());
    }
  }
}
