package dev.idempo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
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

/** {@code idempo request} against a real local server that dedupes by key and drops answers on demand. */
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
    String charge = key == null ? "ch_" + charges.incrementAndGet() : chargesByKey.computeIfAbsent(key, k -> "ch_" + charges.incrementAndGet());
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

    Output output = run("request", "POST", url, "-d", "{\"amount\":1000}", "--retries", "5");

    assertEquals(0, output.exitCode, output.err);
    assertEquals("{\"id\":\"ch_1\"}", output.out);
    assertEquals(1, charges.get(), "charged once");
    assertEquals(3, keysSeen.size());
    assertEquals(1, keysSeen.stream().distinct().count(), "one key on every attempt: " + keysSeen);
    assertTrue(output.err.contains("HTTP 201 after 3 attempts"), output.err);
    assertTrue(output.err.contains("replay"), output.err);
  }

  @Test
  void aGivenKeyIsUsedAndAFreshAnswerIsNotCalledAReplay(@TempDir Path dir) throws IOException {
    Path body = Files.writeString(dir.resolve("charge.json"), "{\"amount\":5}");

    Output output = run("request", "post", url, "-d", "@" + body, "--key", "order-77", "-H", "X-Trace: abc");

    assertEquals(0, output.exitCode, output.err);
    assertEquals(List.of("order-77"), keysSeen);
    assertEquals(List.of("{\"amount\":5}"), bodiesSeen);
    assertTrue(output.err.contains("with Idempotency-Key order-77"), output.err);
    assertTrue(!output.err.contains("replay"), output.err);
  }

  @Test
  void noAnswerAtAllExitsWithThree() {
    answersToDrop.set(100);

    Output output = run("request", "POST", url, "-d", "{}", "--retries", "1");

    assertEquals(RequestCommand.NO_ANSWER, output.exitCode);
    assertTrue(output.err.contains("no answer"), output.err);
    assertEquals(1, charges.get());
  }

  @Test
  void badInputIsAOneLineUsageError() {
    assertUsageError("not an HTTP method", run("request", "PO ST", url));
    assertUsageError("must be http:// or https://", run("request", "POST", "ftp://example/x"));
    assertUsageError("'Name: value'", run("request", "POST", url, "-H", "NoColon"));
    assertUsageError("--key", run("request", "POST", url, "--key", "has space"));
    assertUsageError("no such file", run("request", "POST", url, "-d", "@/no/such/file.json"));
    assertUsageError("--retries must be between 0 and 20", run("request", "POST", url, "--retries", "50"));
    assertUsageError("--timeout", run("request", "POST", url, "--timeout", "soon"));
    assertEquals(0, charges.get());
  }

  private static void assertUsageError(String expected, Output output) {
    assertEquals(2, output.exitCode, output.err);
    assertTrue(output.err.contains(expected), "expected '" + expected + "' in: " + output.err);
  }

  private record Output(int exitCode, String out, String err) {}

  private static Output run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
      int code = IdempoCommand.run(args);
      return new Output(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

}
