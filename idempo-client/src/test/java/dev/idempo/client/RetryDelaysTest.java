package dev.idempo.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.client.RetryPolicy.GiveUpReason;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The waits between attempts follow the policy and the server, measured on a fake clock. */
class RetryDelaysTest {
  private final TestServer server = TestServer.start();
  private final FakeClock clock = new FakeClock();
  private final RecordingSleeper sleeper = new RecordingSleeper(clock);

  @AfterEach
  void stopServer() {
    server.close();
  }

  private IdempotentHttpClient client(RetryPolicy.Builder policy) {
    return IdempotentHttpClient.builder()
        .httpClient(IdempotentHttpClientTest.HTTP)
        .retryPolicy(policy.clock(clock).sleeper(sleeper).build())
        .build();
  }

  private HttpRequest post() {
    return HttpRequest.newBuilder(server.uri("/charges"))
        .POST(BodyPublishers.ofString("{}"))
        .build();
  }

  @RepeatedTest(3)
  void backoffIsFullJitterBelowTheExponentialCeilingAndTheCap() throws Exception {
    long seed = new Random().nextLong();
    System.out.println("RetryDelaysTest seed=" + seed);
    Duration base = Duration.ofMillis(100);
    Duration cap = Duration.ofSeconds(1);
    for (int i = 0; i < 7; i++) {
      server.script(TestServer.Reply.status(503, "no Retry-After: the policy decides"));
    }

    IdempotentResponse<String> response =
        client(
                RetryPolicy.builder()
                    .maxAttempts(8)
                    .baseDelay(base)
                    .maxDelay(cap)
                    .random(new Random(seed)))
            .send(post(), BodyHandlers.ofString());

    assertEquals(201, response.statusCode(), "seed " + seed);
    List<Duration> delays = sleeper.delays();
    assertEquals(7, delays.size(), "seed " + seed);
    for (int n = 0; n < delays.size(); n++) {
      Duration ceiling = base.multipliedBy(1L << n);
      if (ceiling.compareTo(cap) > 0) {
        ceiling = cap;
      }
      Duration delay = delays.get(n);
      assertTrue(
          !delay.isNegative() && delay.compareTo(ceiling) <= 0,
          "seed " + seed + ": retry " + n + " waited " + delay + ", outside [0, " + ceiling + "]");
    }
  }

  @Test
  void retryAfterSecondsIsUsedExactly() throws Exception {
    server.script(
        TestServer.Reply.unavailable("3"), TestServer.Reply.status(429, "", "Retry-After", "11"));
    client(RetryPolicy.builder().maxAttempts(3)).send(post(), BodyHandlers.ofString());
    assertEquals(List.of(Duration.ofSeconds(3), Duration.ofSeconds(11)), sleeper.delays());
  }

  @Test
  void retryAfterHttpDateIsMeasuredFromThePolicyClock() throws Exception {
    String inThirtySeconds =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            clock.instant().plusSeconds(30).atOffset(ZoneOffset.UTC));
    server.script(TestServer.Reply.unavailable(inThirtySeconds));

    client(RetryPolicy.builder().maxAttempts(2)).send(post(), BodyHandlers.ofString());

    assertEquals(List.of(Duration.ofSeconds(30)), sleeper.delays());
  }

  @Test
  void retryAfterMsIsUsedExactlyAndWinsOverRetryAfter() throws Exception {
    server.script(
        TestServer.Reply.status(503, "", "Retry-After-Ms", "250", "Retry-After", "9"),
        TestServer.Reply.status(429, "", "Retry-After-Ms", "1.5"));

    client(RetryPolicy.builder().maxAttempts(3)).send(post(), BodyHandlers.ofString());

    assertEquals(List.of(Duration.ofMillis(250), Duration.ofNanos(1_500_000)), sleeper.delays());
  }

  @Test
  void aServerDelayLongerThanThePolicyCapEndsTheRetries() throws Exception {
    server.script(TestServer.Reply.unavailable("120"));

    IdempotentResponse<String> response =
        client(RetryPolicy.builder().maxAttempts(5).maxServerDelay(Duration.ofSeconds(60)))
            .send(post(), BodyHandlers.ofString());

    assertEquals(503, response.statusCode());
    assertEquals(1, response.attempts());
    assertEquals(GiveUpReason.SERVER_DELAY_TOO_LONG, response.giveUpReason().orElseThrow());
    assertTrue(sleeper.delays().isEmpty());
  }

  @Test
  void aServerDelayAtTheCapIsHonoured() throws Exception {
    server.script(TestServer.Reply.unavailable("60"));
    client(
            RetryPolicy.builder()
                .maxAttempts(2)
                .maxServerDelay(Duration.ofSeconds(60))
                .maxTotalTime(Duration.ofMinutes(5)))
        .send(post(), BodyHandlers.ofString());
    assertEquals(List.of(Duration.ofSeconds(60)), sleeper.delays());
  }

  @Test
  void anInvalidRetryAfterFallsBackToTheBackoff() throws Exception {
    server.script(TestServer.Reply.unavailable("soon"));
    client(RetryPolicy.builder().maxAttempts(2).baseDelay(Duration.ofMillis(100)))
        .send(post(), BodyHandlers.ofString());
    Duration delay = sleeper.delays().get(0);
    assertTrue(
        delay.compareTo(Duration.ofMillis(100)) <= 0, "backoff, not a server delay: " + delay);
  }

  @Test
  void noRetryStartsAfterTheMaximumTotalTime() throws Exception {
    for (int i = 0; i < 5; i++) {
      server.script(TestServer.Reply.unavailable("4"));
    }

    IdempotentResponse<String> response =
        client(RetryPolicy.builder().maxAttempts(10).maxTotalTime(Duration.ofSeconds(10)))
            .send(post(), BodyHandlers.ofString());

    // 0 s + 4 s fits, 4 s + 4 s fits, 8 s + 4 s would end past 10 s.
    assertEquals(List.of(Duration.ofSeconds(4), Duration.ofSeconds(4)), sleeper.delays());
    assertEquals(3, response.attempts());
    assertEquals(GiveUpReason.MAX_TOTAL_TIME, response.giveUpReason().orElseThrow());
  }
}
