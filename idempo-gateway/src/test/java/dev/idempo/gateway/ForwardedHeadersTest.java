package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.InMemoryIdempotencyStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Hop-by-hop headers (RFC 9110 §7.6.1) stop at the gateway; forwarding headers are added. */
class ForwardedHeadersTest {
  private TestUpstream upstream;
  private Gateway gateway;

  @BeforeEach
  void start() throws Exception {
    upstream = TestUpstream.start();
    gateway =
        new Gateway(
            TestEngine.builder(upstream.uri())
                .listen("127.0.0.1", 0)
                .store(InMemoryIdempotencyStore.create())
                .build());
    gateway.start();
  }

  @AfterEach
  void stop() {
    gateway.stop();
    upstream.close();
  }

  @Test
  void requestHopByHopHeadersAreDroppedAndForwardingHeadersAdded() throws Exception {
    String request =
        String.join(
            "\r\n",
            "POST /orders HTTP/1.1",
            "Host: api.example:8443",
            "Connection: X-Drop-Me, close",
            "X-Drop-Me: 1",
            "Keep-Alive: timeout=5",
            "TE: trailers",
            "Trailer: X-Checksum",
            "Proxy-Authorization: Basic Zm9vOmJhcg==",
            "Proxy-Connection: keep-alive",
            "X-Forwarded-For: 10.0.0.1",
            "X-Keep: yes",
            "Idempotency-Key: hop-1",
            "Authorization: Bearer test-caller",
            "Content-Type: text/plain",
            "Content-Length: 5",
            "",
            "hello");

    String response = exchange(request);

    assertTrue(response.startsWith("HTTP/1.1 201"), response);
    TestUpstream.Received received = upstream.last();
    for (String dropped :
        new String[] {
          "X-Drop-Me", "Keep-Alive", "TE", "Trailer", "Proxy-Authorization", "Proxy-Connection"
        }) {
      assertNull(
          received.header(dropped),
          dropped + " must not reach the upstream: " + received.headers());
    }
    assertTrue(
        received.header("Connection") == null
            || !received.header("Connection").contains("X-Drop-Me"),
        received.headers().toString());
    assertEquals("yes", received.header("X-Keep"));
    assertEquals("hop-1", received.header("Idempotency-Key"));
    assertEquals("10.0.0.1, 127.0.0.1", received.header("X-Forwarded-For"));
    assertEquals("http", received.header("X-Forwarded-Proto"));
    assertEquals("api.example:8443", received.header("X-Forwarded-Host"));
    assertEquals("127.0.0.1:" + upstream.port(), received.header("Host"));
    assertEquals("1.1 idempo-gateway", received.header("Via"));
    assertEquals("hello", new String(received.body(), StandardCharsets.US_ASCII));
  }

  @Test
  void responseHopByHopHeadersAreDropped() throws Exception {
    Requests requests = new Requests(gateway.uri());

    HttpResponse<String> response = requests.post("/hop", "hop-2", "{}");
    HttpResponse<String> replay = requests.post("/hop", "hop-2", "{}");

    assertEquals(200, response.statusCode());
    assertEquals(Optional.of("kept"), response.headers().firstValue("X-End-To-End"));
    assertTrue(
        response.headers().firstValue("X-Upstream-Hop").isEmpty(), response.headers().toString());
    assertTrue(
        response.headers().firstValue("Proxy-Authenticate").isEmpty(),
        response.headers().toString());
    assertEquals("ok", replay.body());
    assertEquals(Optional.of("true"), replay.headers().firstValue("Idempotent-Replayed"));
  }

  /** Sends raw bytes (the JDK client refuses to send hop-by-hop headers) and reads until close. */
  private String exchange(String request) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }
}
