package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the gateway relays and stores of answers only a raw upstream sends. */
class UpstreamAnswerTest {
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private RawUpstream upstream(String answer) throws Exception {
    RawUpstream upstream = RawUpstream.answering(answer);
    closing.add(upstream);
    return upstream;
  }

  private Requests gateway(RawUpstream upstream, Consumer<GatewayConfig.Builder> settings) {
    GatewayConfig.Builder config =
        TestEngine.builder(upstream.uri()).listen("127.0.0.1", 0).store(new CountingStore());
    settings.accept(config);
    Gateway gateway = new Gateway(config.build());
    closing.add(gateway);
    gateway.start();
    return new Requests(gateway.uri());
  }

  private static String created(String extraHeaders) {
    return "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nLocation: /things/1\r\n"
        + extraHeaders
        + "Content-Length: 12\r\nConnection: close\r\n\r\n{\"id\":\"t1\"}\n";
  }

  @Test
  void earlyHintsBeforeTheFinalResponseAreNeverStored() throws Exception {
    RawUpstream upstream =
        upstream(
            "HTTP/1.1 103 Early Hints\r\nLink: </hint.css>; rel=preload\r\n\r\n" + created(""));
    Requests gateway = gateway(upstream, config -> {});

    HttpResponse<String> first = gateway.post("/things", "k1", "{}");
    HttpResponse<String> retry = gateway.post("/things", "k1", "{}");

    assertEquals(201, first.statusCode(), first.body());
    assertEquals("{\"id\":\"t1\"}\n", first.body());
    assertEquals(201, retry.statusCode(), retry.body());
    assertEquals("{\"id\":\"t1\"}\n", retry.body());
    assertEquals(Optional.of("true"), retry.headers().firstValue("Idempotent-Replayed"));
    assertEquals(Optional.of("/things/1"), retry.headers().firstValue("Location"));
    assertTrue(retry.headers().allValues("Link").isEmpty(), "the 103's Link is not the answer's");
    assertEquals(1, upstream.executions());
  }

  @Test
  void processingBeforeTheFinalResponseGivesTheCallerTheFinalResponse() throws Exception {
    RawUpstream upstream =
        upstream("HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n" + created(""));
    Requests gateway = gateway(upstream, config -> {});

    HttpResponse<String> first = gateway.post("/things", "k1", "{}");
    HttpResponse<String> retry = gateway.post("/things", "k1", "{}");

    assertEquals(201, first.statusCode(), first.body());
    assertEquals("{\"id\":\"t1\"}\n", first.body());
    assertEquals(201, retry.statusCode(), retry.body());
    assertEquals("{\"id\":\"t1\"}\n", retry.body());
    assertEquals(1, upstream.executions());
  }

  @Test
  void unsolicitedContinueBeforeTheFinalResponseIsNotTheAnswer() throws Exception {
    RawUpstream upstream = upstream("HTTP/1.1 100 Continue\r\n\r\n" + created(""));
    Requests gateway = gateway(upstream, config -> {});

    HttpResponse<String> first = gateway.post("/things", "k1", "{}");
    HttpResponse<String> retry = gateway.post("/things", "k1", "{}");

    assertEquals(201, first.statusCode(), first.body());
    assertEquals(201, retry.statusCode(), retry.body());
    assertEquals("{\"id\":\"t1\"}\n", retry.body());
    assertEquals(1, upstream.executions());
  }

  @Test
  void upstreamHeadersOver8KiBAreRelayedAndStored() throws Exception {
    String big = "x".repeat(12 << 10);
    RawUpstream upstream = upstream(created("X-Big: " + big + "\r\nLink: </a>; rel=next\r\n"));
    Requests gateway = gateway(upstream, config -> {});

    HttpResponse<String> first = gateway.post("/things", "k1", "{}");
    HttpResponse<String> retry = gateway.post("/things", "k1", "{}");

    assertEquals(201, first.statusCode(), first.body());
    assertEquals(Optional.of(big), first.headers().firstValue("X-Big"));
    assertEquals(201, retry.statusCode(), retry.body());
    assertEquals(Optional.of("true"), retry.headers().firstValue("Idempotent-Replayed"));
    assertEquals(1, upstream.executions());
  }

  @Test
  void upstreamHeadersOverTheClientLimitEndTheAttemptAsUnknownNotInFlight() throws Exception {
    String huge = "x".repeat(UpstreamClient.MAX_RESPONSE_HEADER_BYTES + 1024);
    RawUpstream upstream = upstream(created("X-Huge: " + huge + "\r\n"));
    Requests gateway = gateway(upstream, config -> {});

    HttpResponse<String> first = gateway.post("/things", "k1", "{}");
    HttpResponse<String> retry = gateway.post("/things", "k1", "{}");

    assertEquals(502, first.statusCode(), first.body());
    assertTrue(first.body().contains("outcome-unknown"), first.body());
    assertEquals(502, retry.statusCode(), "recorded at once, not left in flight: " + retry.body());
    assertTrue(retry.body().contains("outcome-unknown"), retry.body());
    assertEquals(1, upstream.executions());
  }

  @Test
  void requestHeadersTheListenerAcceptsAreForwarded() throws Exception {
    RawUpstream upstream = upstream(created(""));
    Requests gateway = gateway(upstream, config -> {});

    HttpResponse<String> answer =
        gateway.post("/things", "k1", "{}", "X-Large", "v".repeat(6 << 10));

    assertEquals(201, answer.statusCode(), answer.body());
    assertEquals(1, upstream.executions());
  }

  @Test
  void switchingProtocolsToAPlainRequestIsNeverStoredAsTheAnswer() throws Exception {
    RawUpstream upstream =
        upstream(
            String.join(
                "\r\n",
                "HTTP/1.1 101 Switching Protocols",
                "Upgrade: websocket",
                "Connection: Upgrade",
                "",
                ""));
    Requests gateway = gateway(upstream, config -> {});

    HttpResponse<String> first = gateway.post("/things", "k1", "{}");
    HttpResponse<String> retry = gateway.post("/things", "k1", "{}");

    assertEquals(502, first.statusCode(), first.body());
    assertTrue(first.body().contains("outcome-unknown"), first.body());
    assertEquals(502, retry.statusCode(), retry.body());
    assertTrue(retry.body().contains("outcome-unknown"), retry.body());
    assertEquals(1, upstream.executions());
  }
}
