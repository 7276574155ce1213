package dev.idempo.http.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
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

  @Test
  void theRawUpstreamSendsInterimResponsesBeforeTheAnswerAndReadsChunkedBodies() throws Exception {
    ContractApplication application = new ContractApplication();
    try (ContractUpstream upstream = ContractUpstream.startRaw(application)) {
      String response =
          exchange(
              upstream,
              "POST /p?q=1 HTTP/1.1\r\nHost: x\r\n"
                  + ContractApplication.CASE_HEADER
                  + ": r\r\n"
                  + ContractApplication.INTERIM_HEADER
                  + ": 103,102\r\n"
                  + ContractApplication.HEADER_BYTES_HEADER
                  + ": 20000\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n");

      assertTrue(response.startsWith("HTTP/1.1 103 "), response.substring(0, 40));
      assertTrue(response.contains("Link: </hint.css>; rel=preload\r\n\r\nHTTP/1.1 102 "));
      assertTrue(response.contains("\r\n\r\nHTTP/1.1 201 "), "the answer follows the 1xx");
      assertTrue(response.contains(ContractApplication.PADDING_HEADER + ": " + "p".repeat(20000)));
      assertTrue(response.endsWith("\"query\":\"q=1\",\"body\":\"abc\"}"), response);
      assertEquals(1, application.executions("r"));
    }
  }

  @Test
  void aRunThatThrowsClosesTheRawConnectionWithoutAnAnswer() throws Exception {
    ContractApplication application = new ContractApplication();
    try (ContractUpstream upstream = ContractUpstream.startRaw(application)) {
      String response =
          exchange(
              upstream,
              "POST / HTTP/1.1\r\nHost: x\r\n"
                  + ContractApplication.CASE_HEADER
                  + ": t\r\n"
                  + ContractApplication.THROW_HEADER
                  + ": 1\r\nContent-Length: 0\r\n\r\n");

      assertEquals("", response);
      assertEquals(1, application.executions("t"));
    }
  }

  @Test
  void aPaddedBodyIsAtLeastTheSizeAsked() {
    ContractApplication application = new ContractApplication();
    ContractApplication.Response response =
        application.handle(
            new ContractApplication.Request(
                "POST",
                "/",
                null,
                Map.of(
                    ContractApplication.CASE_HEADER, List.of("b"),
                    ContractApplication.BODY_BYTES_HEADER, List.of("5000")),
                new byte[0]));

    assertEquals(5000, response.body().length);
  }

  private static String exchange(ContractUpstream upstream, String request) throws Exception {
    try (Socket socket = new Socket(upstream.uri().getHost(), upstream.uri().getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
