package dev.idempo.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.client.RetryPolicy.GiveUpReason;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A {@link RetryBudget} shared by calls (and clients) stops retries once spent. */
class RetryBudgetTest {
  private final TestServer server = TestServer.start();
  private final FakeClock clock = new FakeClock();
  private final RecordingSleeper sleeper = new RecordingSleeper(clock);

  @AfterEach
  void stopServer() {
    server.close();
  }

  private IdempotentHttpClient client(RetryBudget budget) {
    RetryPolicy policy =
        RetryPolicy.builder().maxAttempts(5).clock(clock).sleeper(sleeper).budget(budget).build();
    return IdempotentHttpClient.builder()
        .httpClient(IdempotentHttpClientTest.HTTP)
        .retryPolicy(policy)
        .build();
  }

  private HttpRequest post() {
    return HttpRequest.newBuilder(server.uri("/charges"))
        .POST(BodyPublishers.ofString("{}"))
        .build();
  }

  private RetryBudget budget(double tokens, double floorPerSecond) {
    return RetryBudget.builder()
        .ratio(0)
        .maxTokens(tokens)
        .minRetriesPerSecond(floorPerSecond)
        .clock(clock)
        .build();
  }

  @Test
  void anEmptyBudgetReturnsTheLastAnswerAtOnce() throws Exception {
    RetryBudget oneRetry = budget(1, 0);
    IdempotentHttpClient client = client(oneRetry);
    server.script(TestServer.Reply.unavailable("1"), TestServer.Reply.unavailable("1"));

    IdempotentResponse<String> first = client.send(post(), BodyHandlers.ofString());

    assertEquals(503, first.statusCode());
    assertEquals(2, first.attempts(), "one retry from the budget, then none");
    assertEquals(GiveUpReason.BUDGET_EXHAUSTED, first.giveUpReason().orElseThrow());

    server.script(TestServer.Reply.unavailable("1"));
    IdempotentResponse<String> second = client.send(post(), BodyHandlers.ofString());

    assertEquals(1, second.attempts(), "no retry at all once the budget is spent");
    assertEquals(GiveUpReason.BUDGET_EXHAUSTED, second.giveUpReason().orElseThrow());
    assertEquals(3, server.requests());
    assertEquals(1, sleeper.delays().size());
  }

  @Test
  void theBudgetIsSharedAcrossClients() throws Exception {
    RetryBudget shared = budget(1, 0);
    server.script(TestServer.Reply.unavailable("1"));
    assertEquals(
        201, client(shared).send(post(), BodyHandlers.ofString()).statusCode(), "the one retry");

    server.script(TestServer.Reply.unavailable("1"));
    IdempotentResponse<String> other = client(shared).send(post(), BodyHandlers.ofString());

    assertEquals(503, other.statusCode());
    assertEquals(GiveUpReason.BUDGET_EXHAUSTED, other.giveUpReason().orElseThrow());
  }

  @Test
  void callsRefillTheBudgetByTheirRatio() throws Exception {
    RetryBudget budget =
        RetryBudget.builder().ratio(0.5).maxTokens(1).minRetriesPerSecond(0).clock(clock).build();
    IdempotentHttpClient client = client(budget);
    server.script(TestServer.Reply.unavailable("0"), TestServer.Reply.unavailable("0"));
    client.send(
        post(),
        BodyHandlers.ofString()); // full budget: 1 token, one retry spends it, then 503 final
    assertTrue(budget.available() < 1.0);

    client.send(post(), BodyHandlers.ofString()); // +0.5
    client.send(post(), BodyHandlers.ofString()); // +0.5: one retry affordable again
    server.script(TestServer.Reply.unavailable("0"));
    IdempotentResponse<String> retried = client.send(post(), BodyHandlers.ofString());

    assertEquals(201, retried.statusCode());
    assertEquals(2, retried.attempts());
  }

  @Test
  void theFloorRefillsTheBudgetWithTime() throws Exception {
    RetryBudget budget = budget(1, 1);
    IdempotentHttpClient client = client(budget);
    server.script(TestServer.Reply.unavailable("0"), TestServer.Reply.unavailable("0"));
    assertEquals(
        GiveUpReason.BUDGET_EXHAUSTED,
        client.send(post(), BodyHandlers.ofString()).giveUpReason().orElseThrow());

    clock.advance(Duration.ofSeconds(1));
    server.script(TestServer.Reply.unavailable("0"));

    assertEquals(2, client.send(post(), BodyHandlers.ofString()).attempts());
  }

  @Test
  void anEmptyBudgetThrowsTheLastFailureAtOnce() throws Exception {
    RetryBudget empty = budget(1, 0);
    empty.tryAcquireRetry();
    URI closed = URI.create("http://127.0.0.1:" + IdempotentHttpClientTest.freePort() + "/charges");
    HttpRequest request =
        HttpRequest.newBuilder(closed).POST(BodyPublishers.ofString("{}")).build();

    RetriesExhaustedException e =
        assertThrows(
            RetriesExhaustedException.class,
            () -> client(empty).send(request, BodyHandlers.ofString()));

    assertEquals(1, e.attempts());
    assertEquals(GiveUpReason.BUDGET_EXHAUSTED, e.reason());
    assertTrue(e.getMessage().contains("retry budget is spent"), e.getMessage());
    assertTrue(sleeper.delays().isEmpty());
  }
}
