package dev.idempo.gateway;

import static dev.idempo.gateway.GatewayTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as a real process: its ready line, a crash (SIGKILL) in the middle of a request, a
 * restart on the same SQLite file, and a graceful stop (SIGTERM). Leases of one second: here a real
 * clock is the subject.
 */
class GatewayProcessTest {
  private static final Duration START = Duration.ofSeconds(30);

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
  void aGatewayKilledMidRequestAnswersOutcomeUnknownAfterRestartAndNeverForwardsTwice()
      throws Exception {
    String[] args = {
      "--listen",
      "127.0.0.1:0",
      "--upstream",
      upstream.uri().toString(),
      "--store",
      "sqlite:data/idempo.db",
      "--lease",
      "1s"
    };
    HttpResponse<String> done;
    try (GatewayProcess first = GatewayProcess.start(directory, args)) {
      String ready = first.awaitReady(START);
      Matcher line = GatewayProcess.READY.matcher(ready);
      assertTrue(line.matches(), ready);
      assertEquals("http://127.0.0.1:" + first.port(), line.group(1));
      assertEquals(upstream.uri().toString(), line.group(3));
      assertEquals("sqlite:data/idempo.db", line.group(4));
      assertEquals(List.of(ready), first.stdoutLines(), "exactly one line on stdout");
      assertTrue(
          Files.exists(directory.resolve("data/idempo.db")), "the store's directory is created");

      Requests requests = new Requests(first.uri());
      done = requests.post("/orders", "key-done", "{\"n\":1}");
      assertEquals(201, done.statusCode());
      CompletableFuture<HttpResponse<String>> crashing =
          requests.postAsync("/hang", "key-crash", "{\"n\":2}");
      awaitExecutions(2);

      first.kill();
      assertTrue(
          crashing.handle((response, failure) -> failure != null).get(10, TimeUnit.SECONDS),
          "the caller of the killed gateway gets no answer");
    }

    try (GatewayProcess restarted = GatewayProcess.start(directory, args)) {
      restarted.awaitReady(START);
      Requests requests = new Requests(restarted.uri());

      HttpResponse<String> replay = requests.post("/orders", "key-done", "{\"n\":1}");
      assertEquals(201, replay.statusCode(), "completed records survive the restart");
      assertEquals(done.body(), replay.body());
      assertEquals(Optional.of("true"), replay.headers().firstValue("Idempotent-Replayed"));

      HttpResponse<String> retry =
          retryUntilTheLeaseEnds(requests, "/hang", "key-crash", "{\"n\":2}");
      assertProblem(retry, 502, "outcome-unknown");
      assertProblem(requests.post("/hang", "key-crash", "{\"n\":2}"), 502, "outcome-unknown");
      assertEquals(
          2, upstream.executions(), "the crashed request is never forwarded a second time");
    }
  }

  @Test
  void withReexecuteARequestCutShortByACrashIsForwardedAgainWithTheSameKey() throws Exception {
    String[] args = {
      "--listen",
      "127.0.0.1:0",
      "--upstream",
      upstream.uri().toString(),
      "--store",
      "sqlite:data/idempo.db",
      "--lease",
      "1s",
      "--on-unknown",
      "reexecute"
    };
    try (GatewayProcess first = GatewayProcess.start(directory, args)) {
      first.awaitReady(START);
      CompletableFuture<HttpResponse<String>> cutShort =
          new Requests(first.uri()).postAsync("/hang", "key-again", "{}");
      awaitExecutions(1);
      first.kill();
      assertTrue(
          cutShort.handle((response, failure) -> failure != null).get(10, TimeUnit.SECONDS),
          "the caller of the killed gateway gets no answer");
    }
    upstream.releaseHanging();

    try (GatewayProcess restarted = GatewayProcess.start(directory, args)) {
      restarted.awaitReady(START);
      HttpResponse<String> retry =
          retryUntilTheLeaseEnds(new Requests(restarted.uri()), "/hang", "key-again", "{}");

      assertEquals(201, retry.statusCode(), retry.body());
      assertEquals(2, upstream.executions());
      assertEquals(
          "key-again",
          upstream.received().get(1).header("Idempotency-Key"),
          "the upstream can recognize the repeat");
    }
  }

  @Test
  void sigtermStopsAcceptingAndDrainsTheInFlightRequestBeforeExiting() throws Exception {
    try (GatewayProcess gateway =
        GatewayProcess.start(
            directory, "--listen", "127.0.0.1:0", "--upstream", upstream.uri().toString())) {
      String ready = gateway.awaitReady(START);
      assertTrue(ready.endsWith("(store: sqlite:./idempo-data/idempo.db)"), ready);
      assertTrue(
          Files.exists(directory.resolve("idempo-data/idempo.db")),
          "the default store is a file in ./idempo-data");
      Requests requests = new Requests(gateway.uri());
      // Held at the upstream until released: the drain is observed, not raced against a timer.
      CompletableFuture<HttpResponse<String>> inFlight =
          requests.postAsync("/hang", "key-drain", "{}");
      awaitExecutions(1);

      gateway.terminate();

      awaitRefused(gateway.port());
      assertFalse(
          inFlight.isDone(),
          "the in-flight request is still being served while new connections are refused");
      upstream.releaseHanging();
      HttpResponse<String> answer = inFlight.get(15, TimeUnit.SECONDS);
      assertEquals(201, answer.statusCode());
      assertEquals("{\"execution\":1}", answer.body());
      int exit = gateway.awaitExit(Duration.ofSeconds(15));
      assertEquals(143, exit, "a JVM ending on SIGTERM exits 128 + 15");
    }
  }

  @Test
  void anUnreachableStoreIsOneLineOnStderrAndAFailedExit() throws Exception {
    try (GatewayProcess gateway =
        GatewayProcess.start(
            directory,
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            upstream.uri().toString(),
            "--store",
            "jdbc:postgresql://127.0.0.1:1/idempo?user=idempo&password=hunter2")) {
      int exit = gateway.awaitExit(START);

      assertEquals(1, exit);
      List<String> lines = gateway.stderr().lines().toList();
      assertEquals(1, lines.size(), "one line, no stack trace: " + gateway.stderr());
      assertTrue(
          lines
              .get(0)
              .startsWith(
                  "idempo-gateway: cannot open store jdbc:postgresql://127.0.0.1:1/idempo?user=idempo&password=***"),
          lines.get(0));
      assertFalse(lines.get(0).contains("hunter2"), "the password is never printed");
    }
  }

  private HttpResponse<String> retryUntilTheLeaseEnds(
      Requests requests, String path, String key, String body)
      throws IOException, InterruptedException {
    // The dead gateway's lease runs out on the store's clock, in another process.
    return org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> requests.post(path, key, body), response -> response.statusCode() != 409);
  }

  private void awaitExecutions(int count) throws InterruptedException {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertTrue(
                    upstream.executions() >= count,
                    "the upstream saw "
                        + upstream.executions()
                        + " request(s), expected "
                        + count));
  }

  private static void awaitRefused(int port) throws InterruptedException {
    org.awaitility.Awaitility.await("the gateway refusing connections on " + port)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return false;
              } catch (ConnectException e) {
                return true;
              } catch (IOException e) {
                return false; // a timeout or reset: try again
              }
            });
  }
}
