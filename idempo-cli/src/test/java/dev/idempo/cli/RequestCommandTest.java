package dev.idempo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code idempo request} against a real local server that dedupes by key and drops answers on
 * demand.
 */
class RequestCommandTest {
  private HttpServer server;
  private String url;
  private final Map<String, String> chargesByKey = new ConcurrentHashMap<>();
  private final List<String> keysSeen = new CopyOnWriteArrayList<>();
  private final List<String> bodiesSeen = new CopyOnWriteArrayList<>();
  private final AtomicInteger charges = new AtomicInteger();
  private final AtomicInteger answersToDrop = new AtomicInteger();

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/charges", this::charge);
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort() + "/charges";
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private void charge(HttpExchange exchange) throws IOException {
    String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
    keysSeen.add(String.valueOf(key));
    bodiesSeen.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    boolean replay = key != null && chargesByKey.containsKey(key);
    String charge =
        key == null
            ? "ch_" + charges.incrementAndGet()
            : chargesByKey.computeIfAbsent(key, k -> "ch_" + charges.incrementAndGet());
    if (answersToDrop.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      exchange.close(); // the charge happened; the answer never arrives
      return;
    }
    byte[] body = ("{\"id\":\"" + charge + "\"}").getBytes(StandardCharsets.UTF_8);
    if (replay) {
      exchange.getResponseHeaders().add("Idempotent-Replayed", "true");
    }
    exchange.sendResponseHeaders(201, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  @Test
  void aLostAnswerIsRetriedWithTheSameKeyAndChargesOnce() {
    answersToDrop.set(2);

    CommandRun output =
        CommandRun.of("request", "POST", url, "-d", "{\"amount\":1000}", "--retries", "5");

    assertEquals(0, output.exitCode(), output.err());
    assertEquals("{\"id\":\"ch_1\"}", output.out());
    assertEquals(1, charges.get(), "charged once");
    assertEquals(3, keysSeen.size());
    assertEquals(1, keysSeen.stream().distinct().count(), "one key on every attempt: " + keysSeen);
    assertTrue(output.err().contains("HTTP 201 after 3 attempts"), output.err());
    assertTrue(output.err().contains("replay"), output.err());
  }

  @Test
  void aGivenKeyIsUsedAndAFreshAnswerIsNotCalledAReplay(@TempDir Path dir) throws IOException {
    Path body = Files.writeString(dir.resolve("charge.json"), "{\"amount\":5}");

    CommandRun output =
        CommandRun.of(
            "request", "post", url, "-d", "@" + body, "--key", "order-77", "-H", "X-Trace: abc");

    assertEquals(0, output.exitCode(), output.err());
    assertEquals(List.of("order-77"), keysSeen);
    assertEquals(List.of("{\"amount\":5}"), bodiesSeen);
    assertTrue(output.err().contains("with Idempotency-Key order-77"), output.err());
    assertTrue(!output.err().contains("replay"), output.err());
  }

  @Test
  void noAnswerAtAllExitsWithThree() {
    answersToDrop.set(100);

    CommandRun output = CommandRun.of("request", "POST", url, "-d", "{}", "--retries", "1");

    assertEquals(RequestCommand.NO_ANSWER, output.exitCode());
    assertTrue(output.err().contains("no answer"), output.err());
    assertEquals(1, charges.get());
  }

  @Test
  void badInputIsAOneLineUsageError() {
    assertUsageError("not an HTTP method", CommandRun.of("request", "PO ST", url));
    assertUsageError(
        "must be http:// or https://", CommandRun.of("request", "POST", "ftp://example/x"));
    assertUsageError("'Name: value'", CommandRun.of("request", "POST", url, "-H", "NoColon"));
    assertUsageError("--key", CommandRun.of("request", "POST", url, "--key", "has space"));
    assertUsageError(
        "no such file", CommandRun.of("request", "POST", url, "-d", "@/no/such/file.json"));
    assertUsageError(
        "--retries must be between 0 and 20",
        CommandRun.of("request", "POST", url, "--retries", "50"));
    assertUsageError("--timeout", CommandRun.of("request", "POST", url, "--timeout", "soon"));
    assertEquals(0, charges.get());
  }

  private static void assertUsageError(String expected, CommandRun output) {
    assertEquals(2, output.exitCode(), output.err());
    assertTrue(output.err().contains(expected), "expected '" + expected + "' in: " + output.err());
  }
}
