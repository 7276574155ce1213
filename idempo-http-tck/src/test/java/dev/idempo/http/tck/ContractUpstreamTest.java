package dev.idempo.http.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The contract application behaves as the suite relies on, served by {@link ContractUpstream}. */
class ContractUpstreamTest {
  private final HttpClient client = HttpClient.newHttpClient();

  private HttpRequest.Builder post(ContractUpstream upstream, String testCase, String body) {
    return HttpRequest.newBuilder(upstream.uri().resolve("/any/path?q=1"))
        .header(ContractApplication.CASE_HEADER, testCase)
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  @Test
  void runsAreCountedPerCaseAndEchoTheRequest() throws Exception {
    ContractApplication application = new ContractApplication();
    try (ContractUpstream upstream = ContractUpstream.start(application)) {
      HttpResponse<String> first =
          client.send(post(upstream, "a", "say \"hi\"").build(), BodyHandlers.ofString());
      HttpResponse<String> second =
          client.send(post(upstream, "a", "x").build(), BodyHandlers.ofString());
      client.send(post(upstream, "b", "x").build(), BodyHandlers.ofString());

      assertEquals(201, first.statusCode());
      assertEquals(
          "{\"case\":\"a\",\"run\":1,\"method\":\"POST\",\"query\":\"q=1\",\"body\":\"say"
              + " \\\"hi\\\"\"}",
          first.body());
      assertEquals(Optional.of("application/json"), first.headers().firstValue("Content-Type"));
      assertEquals(Optional.of("/things/a/1"), first.headers().firstValue("Location"));
      assertEquals(Optional.of("\"a-2\""), second.headers().firstValue("ETag"));
      assertTrue(first.headers().firstValue("Set-Cookie").orElseThrow().startsWith("session=s1"));
      assertEquals(2, application.executions("a"));
      assertEquals(1, application.executions("b"));
      assertEquals(0, application.executions("c"));
    }
  }

  @Test
  void statusesFollowTheScriptAndTheLastOneRepeats() throws Exception {
    ContractApplication application = new ContractApplication();
    try (ContractUpstream upstream = ContractUpstream.start(application)) {
      HttpRequest request =
          post(upstream, "s", "{}").header(ContractApplication.STATUS_HEADER, "503,500").build();

      assertEquals(503, client.send(request, BodyHandlers.ofString()).statusCode());
      assertEquals(500, client.send(request, BodyHandlers.ofString()).statusCode());
      assertEquals(500, client.send(request, BodyHandlers.ofString()).statusCode());
    }
  }

  @Test
  void aBlockingRunAnswersOnlyOnceReleased() throws Exception {
    ContractApplication application = new ContractApplication();
    try (ContractUpstream upstream = ContractUpstream.start(application)) {
      CompletableFuture<HttpResponse<String>> blocked =
          client.sendAsync(
              post(upstream, "w", "{}").header(ContractApplication.BLOCK_HEADER, "true").build(),
              BodyHandlers.ofString());

      assertTrue(application.awaitEntered("w", 10));
      assertFalse(blocked.isDone());
      application.release("w");
      assertEquals(201, blocked.get(10, TimeUnit.SECONDS).statusCode());
    }
  }
}
