package dev.idempo.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.client.RetryPolicy.GiveUpReason;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The asynchronous path: same guarantees, no thread held between attempts. */
class IdempotentHttpClientAsyncTest {
  private static final long TIMEOUT_SECONDS = 10;

  private final TestServer server = TestServer.start();
  private final FakeClock clock = new FakeClock();
  private final RecordingSleeper sleeper = new RecordingSleeper(clock);

  @AfterEach
  void stopServer() {
    server.close();
  }

  /** The blocking sleeper fails the test if used: every wait must go through the async sleeper. */
  private IdempotentHttpClient client(int maxAttempts, AsyncSleeper asyncSleeper) {
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(maxAttempts)
            .clock(clock)
            .sleeper(RecordingSleeper.forbidden())
            .build();
    return IdempotentHttpClient.builder()
        .httpClient(IdempotentHttpClientTest.HTTP)
        .retryPolicy(policy)
        .asyncSleeper(asyncSleeper)
        .build();
  }

  private HttpRequest post() {
    return HttpRequest.newBuilder(server.uri("/charges"))
        .POST(BodyPublishers.ofString("{\"amount\":3}"))
        .build();
  }

  @Test
  void retriesReuseTheKeyAndWaitOnTheAsyncSleeper() throws Exception {
    server.script(TestServer.Reply.unavailable("5"), TestServer.Reply.keyInFlight());

    IdempotentResponse<String> response =
        client(3, sleeper.async())
            .sendAsync(post(), BodyHandlers.ofString())
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertEquals(201, response.statusCode());
    assertEquals(3, response.attempts());
    assertEquals(Collections.nCopies(3, response.key().orElseThrow().value()), server.keysSeen());
    assertEquals(List.of(Duration.ofSeconds(5), Duration.ofSeconds(1)), sleeper.delays());
  }

  @Test
  void aLostResponseIsReplayedNotChargedTwice() throws Exception {
    server.script(TestServer.Reply.dropAfterEffect());

    IdempotentResponse<String> response =
        client(3, sleeper.async())
            .sendAsync(post(), BodyHandlers.ofString())
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertTrue(response.replayed());
    assertEquals(2, response.attempts());
    assertEquals(1, server.effects());
  }

  @Test
  void exhaustedRetriesFailTheFutureWithTheReason() throws Exception {
    URI closed = URI.create("http://127.0.0.1:" + IdempotentHttpClientTest.freePort() + "/charges");
    HttpRequest request =
        HttpRequest.newBuilder(closed).POST(BodyPublishers.ofString("{}")).build();

    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                client(2, sleeper.async())
                    .sendAsync(request, BodyHandlers.ofString())
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS));

    RetriesExhaustedException exhausted =
        assertInstanceOf(RetriesExhaustedException.class, e.getCause());
    assertEquals(2, exhausted.attempts());
    assertEquals(GiveUpReason.MAX_ATTEMPTS, exhausted.reason());
    assertInstanceOf(ConnectException.class, exhausted.getCause());
  }

  @Test
  void aStatusThatRunsOutOfRetriesIsTheAnswer() throws Exception {
    server.script(TestServer.Reply.status(503, "down"), TestServer.Reply.status(503, "still down"));

    IdempotentResponse<String> response =
        client(2, sleeper.async())
            .sendAsync(post(), BodyHandlers.ofString())
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertEquals("still down", response.body());
    assertEquals(GiveUpReason.MAX_ATTEMPTS, response.giveUpReason().orElseThrow());
  }

  @Test
  void aNonRetryableAnswerCompletesAfterOneAttempt() throws Exception {
    server.script(TestServer.Reply.status(422, "mismatch"));
    IdempotentResponse<String> response =
        client(3, sleeper.async())
            .sendAsync(post(), BodyHandlers.ofString())
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertEquals(422, response.statusCode());
    assertEquals(1, response.attempts());
  }

  @Test
  void cancellingTheCallStopsFurtherAttempts() throws Exception {
    CompletableFuture<CompletableFuture<Void>> pendingWait = new CompletableFuture<>();
    AsyncSleeper manual =
        delay -> {
          CompletableFuture<Void> wait = new CompletableFuture<>();
          pendingWait.complete(wait);
          return wait;
        };
    server.script(TestServer.Reply.unavailable("1"));

    CompletableFuture<IdempotentResponse<String>> call =
        client(3, manual).sendAsync(post(), BodyHandlers.ofString());
    CompletableFuture<Void> wait =
        pendingWait.get(TIMEOUT_SECONDS, TimeUnit.SECONDS); // first attempt answered 503
    assertTrue(call.cancel(true));
    wait.complete(null); // the delay ends after the cancellation

    assertTrue(call.isCancelled());
    assertEquals(1, server.requests(), "no attempt after cancellation");
  }

  @Test
  void aFailingAsyncSleeperFailsTheCall() {
    server.script(TestServer.Reply.unavailable("1"));
    AsyncSleeper broken =
        delay -> CompletableFuture.failedFuture(new IllegalStateException("scheduler shut down"));

    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                client(3, broken)
                    .sendAsync(post(), BodyHandlers.ofString())
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS));

    assertEquals("scheduler shut down", e.getCause().getMessage());
  }

  @Test
  void argumentErrorsAreThrownAtOnce() {
    assertThrows(
        IllegalStateException.class,
        () ->
            client(1, sleeper.async())
                .sendAsync(post(), BodyHandlers.ofString(), CallOptions.operationId("job-1")));
    assertThrows(
        NullPointerException.class,
        () -> client(1, sleeper.async()).sendAsync(null, BodyHandlers.ofString()));
  }

  @Test
  void theSystemAsyncSleeperCompletesAtOnceForZero() {
    assertTrue(AsyncSleeper.SYSTEM.sleep(Duration.ZERO).toCompletableFuture().isDone());
    assertTrue(AsyncSleeper.SYSTEM.sleep(Duration.ofMillis(-1)).toCompletableFuture().isDone());
  }
}
