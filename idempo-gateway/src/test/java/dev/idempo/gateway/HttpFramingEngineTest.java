package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.InMemoryIdempotencyStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP/1.1 framing at the gateway's listener, on the engine under test ({@link TestEngine}): a
 * request whose body length a front end and a back end could read differently (request smuggling)
 * is refused with 400 and never forwarded; {@code Expect: 100-continue} gets its interim answer
 * from the gateway, and the final answer alone is stored.
 */
class HttpFramingEngineTest {
  private static final String HEAD =
      String.join(
          "\r\n",
          "POST /orders HTTP/1.1",
          "Host: gateway",
          "Authorization: Bearer caller",
          "Idempotency-Key: frame-1",
          "Content-Type: application/json",
          "");

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

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{} ",
        "Content-Length: 2, 3\r\n\r\n{} ",
        "Content-Length: -2\r\n\r\n{}",
        "Content-Length: +2\r\n\r\n{}",
        "Transfer-Encoding: chunked, identity\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        "Transfer-Encoding: identity\r\n\r\n{}",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        "Transfer-Encoding : chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        "Transfer-Encoding: chunked\r\n\r\nZ\r\n{}\r\n0\r\n\r\n",
      })
  void ambiguousFramingIsRefusedWith400AndNeverForwarded(String rest) throws Exception {
    String answer = exchange((HEAD + rest).getBytes(StandardCharsets.US_ASCII));

    assertEquals(400, status(answer), answer);
    assertEquals(0, upstream.executions(), "nothing reaches the upstream");
  }

  @Test
  void aSmuggledSecondRequestIsNeverForwarded() throws Exception {
    String smuggled = "POST /smuggled HTTP/1.1\r\nHost: gateway\r\nContent-Length: 0\r\n\r\n";
    String rest = "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled;

    String answer = exchange((HEAD + rest).getBytes(StandardCharsets.US_ASCII));

    assertEquals(400, status(answer), answer);
    assertEquals(0, upstream.executions(), "neither request reaches the upstream");
  }

  @Test
  void expectContinueGetsTheInterimAnswerAndOnlyTheFinalOneIsStored() throws Exception {
    String head = HEAD + "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n";
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String interim = readHead(in);
      assertTrue(interim.startsWith("HTTP/1.1 100"), interim);
      out.write("{}".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String fin = readHead(in);
      assertTrue(fin.startsWith("HTTP/1.1 201"), fin);
    }

    HttpResponseText retry =
        HttpResponseText.of(
            new Requests(gateway.uri())
                .post(
                    "/orders",
                    "frame-1",
                    "{}",
                    "Content-Type",
                    "application/json",
                    "Authorization",
                    "Bearer caller"));

    assertEquals(201, retry.status());
    assertEquals(Optional.of("true"), retry.replayed());
    assertEquals(1, upstream.executions());
  }

  private record HttpResponseText(int status, Optional<String> replayed) {
    static HttpResponseText of(java.net.http.HttpResponse<String> response) {
      return new HttpResponseText(
          response.statusCode(), response.headers().firstValue("Idempotent-Replayed"));
    }
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), gateway.port()), 5000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Writes {@code request} and reads until the gateway closes the connection. */
  private String exchange(byte[] request) throws IOException {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      socket.shutdownOutput();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** Reads one response head, up to and including the blank line. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static int status(String response) {
    return response.length() < 12 ? -1 : Integer.parseInt(response.substring(9, 12));
  }
}
