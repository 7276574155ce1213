package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.InMemoryIdempotencyStore;
import java.io.InputStream;
import java.io.OutputStream;
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
        "POST /orders HTTP/1.1\r\n"
            + "Host: api.example:8443\r\n"
            + "Connection: X-Drop-Me, close\r\n"
            + "X-Drop-Me: 1\r\n"
            + "Keep-Alive: timeout=5\r\n"
            + "TE: trailers\r\n"
            + "Trailer: X-Checksum\r\n"
            + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
            + "Proxy-Connection: keep-alive\r\n"
            + "X-Forwarded-For: 10.0.0.1\r\n"
            + "X-Keep: yes\r\n"
            + "Idempotency-Key: hop-1\r\n"
            + "Authorization: Bearer test-caller\r\n"
            + "Content-Type: text/plain\r\n"
            + "Content-Length: 5\r\n"
            + "\r\n"
            + "hello";

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
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }
}
