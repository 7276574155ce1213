package dev.idempo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code idempo gateway}: the same flags, errors and behaviour as the gateway's own main. */
class GatewayCommandTest {
  private static final Pattern READY =
      Pattern.compile(
          "idempo gateway listening on http://127\\.0\\.0\\.1:(\\d+) -> (\\S+) \\(store: memory\\)");

  @Test
  void aBadFlagIsOneLineOnStderrAndExitCode2() {
    CommandRun run =
        CommandRun.of(
            "gateway", "--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:9", "--bogus");

    assertEquals(2, run.exitCode());
    assertEquals("idempo gateway: Unknown option: '--bogus' (see --help)", run.err().strip());
    assertEquals("", run.out());
  }

  @Test
  void aPortInUseIsOneLineOnStderrAndExitCode1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      CommandRun run =
          CommandRun.of(
              "gateway",
              "--listen",
              "127.0.0.1:" + taken.getLocalPort(),
              "--upstream",
              "http://127.0.0.1:9",
              "--store",
              "memory");

      assertEquals(1, run.exitCode());
      assertEquals(1, run.err().lines().count(), run.err());
      assertTrue(
          run.err()
              .startsWith("idempo gateway: cannot listen on 127.0.0.1:" + taken.getLocalPort()),
          run.err());
    }
  }

  @Test
  void helpListsTheFlags() {
    CommandRun run = CommandRun.of("gateway", "--help");

    assertEquals(0, run.exitCode());
    assertTrue(run.out().contains("Usage: idempo gateway"), run.out());
    assertTrue(run.out().contains("--upstream=URL"), run.out());
    assertTrue(run.out().contains("--on-unknown"), run.out());
  }

  @Test
  void theGatewayRunsPrintsOneReadyLineAndReplaysARetry() throws Exception {
    AtomicInteger executions = new AtomicInteger();
    HttpServer upstream =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    upstream.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          byte[] body =
              ("{\"execution\":" + executions.incrementAndGet() + "}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(201, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    upstream.start();
    String upstreamUri = "http://127.0.0.1:" + upstream.getAddress().getPort();
    PrintStream originalOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AtomicInteger exitCode = new AtomicInteger(-1);
    Thread runner =
        new Thread(
            () ->
                exitCode.set(
                    IdempoCommand.run(
                        "gateway",
                        "--listen",
                        "127.0.0.1:0",
                        "--upstream",
                        upstreamUri,
                        "--store",
                        "memory")));
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      runner.start();
      Matcher ready = awaitReadyLine(out);
      assertEquals(upstreamUri, ready.group(2));
      URI gateway = URI.create("http://127.0.0.1:" + ready.group(1) + "/charges");

      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest charge =
          HttpRequest.newBuilder(gateway)
              .header("Idempotency-Key", "cli-1")
              .header("Authorization", "Bearer cli-test") // the gateway's default tenant
              .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":5}"))
              .build();
      HttpResponse<String> first = client.send(charge, HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> retry = client.send(charge, HttpResponse.BodyHandlers.ofString());

      assertEquals(201, first.statusCode());
      assertEquals(first.body(), retry.body());
      assertEquals("true", retry.headers().firstValue("Idempotent-Replayed").orElse(""));
      assertEquals(1, executions.get());
    } finally {
      runner.interrupt(); // stands in for SIGTERM: the gateway drains and the command returns
      runner.join(TimeUnit.SECONDS.toMillis(15));
      System.setOut(originalOut);
      upstream.stop(0);
    }
    assertEquals(0, exitCode.get());
    assertEquals(
        1,
        out.toString(StandardCharsets.UTF_8).lines().count(),
        "exactly one line on stdout: " + out);
  }

  private static Matcher awaitReadyLine(ByteArrayOutputStream out) throws InterruptedException {
    return org.awaitility.Awaitility.await("the ready line on stdout")
        .atMost(java.time.Duration.ofSeconds(20))
        .pollInterval(java.time.Duration.ofMillis(10))
        .until(() -> READY.matcher(out.toString(StandardCharsets.UTF_8).strip()), Matcher::matches);
  }
}
