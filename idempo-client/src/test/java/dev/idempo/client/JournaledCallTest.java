package dev.idempo.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.Fingerprint;
import dev.idempo.IdempotencyKey;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A call with an operation id keeps its key across a crash and restart of the client process. */
class JournaledCallTest {
  @TempDir Path directory;

  private final TestServer server = TestServer.start();
  private final FakeClock clock = new FakeClock();
  private final RecordingSleeper sleeper = new RecordingSleeper(clock);

  @AfterEach
  void stopServer() {
    server.close();
  }

  /** A new journal instance over the same storage: what a restarted process opens. */
  private Supplier<KeyJournal> journals(String kind) {
    return switch (kind) {
      case "file" ->
          () ->
              FileKeyJournal.builder(directory.resolve("journal"))
                  .clock(clock)
                  .retention(Duration.ofHours(24))
                  .build();
      case "sqlite" ->
          () ->
              JdbcKeyJournal.builder("jdbc:sqlite:" + directory.resolve("journal.db"))
                  .clock(clock)
                  .retention(Duration.ofHours(24))
                  .build();
      default -> throw new IllegalArgumentException(kind);
    };
  }

  private IdempotentHttpClient client(KeyJournal journal, int maxAttempts) {
    return IdempotentHttpClient.builder()
        .httpClient(IdempotentHttpClientTest.HTTP)
        .retryPolicy(
            RetryPolicy.builder().maxAttempts(maxAttempts).clock(clock).sleeper(sleeper).build())
        .journal(journal)
        .asyncSleeper(sleeper.async())
        .journalExecutor(Runnable::run)
        .build();
  }

  private HttpRequest post(String json) {
    return HttpRequest.newBuilder(server.uri("/completions"))
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(json))
        .build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "sqlite"})
  void aRestartedProcessResendsUnderTheSameKeyAndIsNotChargedTwice(String kind) throws Exception {
    Supplier<KeyJournal> journals = journals(kind);
    server.script(TestServer.Reply.dropAfterEffect());

    // First process: the paid call reaches the server, which charges; the answer is lost and the
    // process dies before it can retry.
    IdempotentHttpClient firstProcess = client(journals.get(), 1);
    RetriesExhaustedException crash =
        assertThrows(
            RetriesExhaustedException.class,
            () ->
                firstProcess.send(
                    post("{\"prompt\":\"hi\"}"),
                    BodyHandlers.ofString(),
                    CallOptions.operationId("job-42")));
    assertEquals(1, server.effects());

    // Second process: same journal storage, same operation id.
    IdempotentHttpClient secondProcess = client(journals.get(), 1);
    IdempotentResponse<String> response =
        secondProcess.send(
            post("{\"prompt\":\"hi\"}"),
            BodyHandlers.ofString(),
            CallOptions.operationId("job-42"));

    assertEquals(201, response.statusCode());
    assertTrue(response.replayed());
    assertEquals(crash.key().orElseThrow(), response.key().orElseThrow());
    assertEquals(server.keysSeen().get(0), server.keysSeen().get(1));
    assertEquals(1, server.effects(), "charged once across the crash");
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "sqlite"})
  void aRestartWithAnotherPayloadIsRefusedBeforeSending(String kind) throws Exception {
    Supplier<KeyJournal> journals = journals(kind);
    client(journals.get(), 1)
        .send(
            post("{\"prompt\":\"hi\"}"), BodyHandlers.ofString(), CallOptions.operationId("job-7"));

    JournalMismatchException e =
        assertThrows(
            JournalMismatchException.class,
            () ->
                client(journals.get(), 1)
                    .send(
                        post("{\"prompt\":\"bye\"}"),
                        BodyHandlers.ofString(),
                        CallOptions.operationId("job-7")));

    assertEquals("job-7", e.operationId());
    assertTrue(e.getMessage().contains("'job-7'"), e.getMessage());
    assertEquals(1, server.requests(), "nothing sent for the mismatched call");
  }

  @Test
  void theKeyIsRecordedBeforeTheFirstAttempt() throws Exception {
    KeyJournal journal = journals("file").get();
    server.script(TestServer.Reply.dropBeforeEffect());
    assertThrows(
        RetriesExhaustedException.class,
        () ->
            client(journal, 1)
                .send(post("{}"), BodyHandlers.ofString(), CallOptions.operationId("job-1")));

    assertEquals(server.keysSeen().get(0), journal.find("job-1").orElseThrow().key().value());
  }

  @Test
  void anExpiredEntryGivesTheOperationANewKey() throws Exception {
    Supplier<KeyJournal> journals = journals("file");
    IdempotencyKey first =
        client(journals.get(), 1)
            .send(post("{}"), BodyHandlers.ofString(), CallOptions.operationId("job-1"))
            .key()
            .orElseThrow();
    clock.advance(Duration.ofHours(24));

    IdempotentResponse<String> later =
        client(journals.get(), 1)
            .send(post("{}"), BodyHandlers.ofString(), CallOptions.operationId("job-1"));

    assertNotEquals(first, later.key().orElseThrow());
    assertEquals(2, server.effects());
  }

  @Test
  void anExplicitFingerprintReplacesTheComputedOne() throws Exception {
    Supplier<KeyJournal> journals = journals("file");
    Fingerprint job = Fingerprint.builder().add("job", "report-2026-03").build();
    CallOptions options = CallOptions.operationId("report").withFingerprint(job);
    client(journals.get(), 1).send(post("{\"generatedAt\":1}"), BodyHandlers.ofString(), options);

    IdempotentResponse<String> restarted =
        client(journals.get(), 3)
            .send(post("{\"generatedAt\":2}"), BodyHandlers.ofString(), options);

    assertEquals(
        422,
        restarted.statusCode(),
        "same key, other body: the server refuses, and it is not retried");
    assertEquals(1, restarted.attempts());
    assertEquals(server.keysSeen().get(0), server.keysSeen().get(1));
  }

  @Test
  void anExplicitKeyThatContradictsTheJournalIsRefused() throws Exception {
    KeyJournal journal = journals("file").get();
    client(journal, 1).send(post("{}"), BodyHandlers.ofString(), CallOptions.operationId("job-1"));

    JournalMismatchException e =
        assertThrows(
            JournalMismatchException.class,
            () ->
                client(journal, 1)
                    .send(
                        post("{}"),
                        BodyHandlers.ofString(),
                        CallOptions.operationId("job-1").withKey(IdempotencyKey.of("other"))));

    assertTrue(
        e.getMessage().contains("other") && e.getMessage().contains("job-1"), e.getMessage());
    assertEquals(1, server.requests());
  }

  @Test
  void anOperationIdGivesEvenAGetAKey() throws Exception {
    KeyJournal journal = journals("file").get();
    IdempotentResponse<String> response =
        client(journal, 1)
            .send(
                HttpRequest.newBuilder(server.uri("/reports/1")).GET().build(),
                BodyHandlers.ofString(),
                CallOptions.operationId("get-1"));
    assertEquals(journal.find("get-1").orElseThrow().key(), response.key().orElseThrow());
  }

  @Test
  void asyncCallsUseTheJournalToo() throws Exception {
    Supplier<KeyJournal> journals = journals("sqlite");
    server.script(TestServer.Reply.dropAfterEffect());
    IdempotentHttpClient client = client(journals.get(), 2);

    IdempotentResponse<String> response =
        client
            .sendAsync(post("{}"), BodyHandlers.ofString(), CallOptions.operationId("job-async"))
            .get(10, TimeUnit.SECONDS);

    assertTrue(response.replayed());
    assertEquals(
        journals.get().find("job-async").orElseThrow().key(), response.key().orElseThrow());
    assertEquals(1, server.effects());
  }

  @Test
  void aJournalFailureSendsNothing() {
    KeyJournal broken =
        JdbcKeyJournal.builder("jdbc:sqlite:" + directory.resolve("no/such/dir.db")).build();
    assertThrows(
        JournalUnavailableException.class,
        () ->
            client(broken, 3)
                .send(post("{}"), BodyHandlers.ofString(), CallOptions.operationId("job-1")));
    assertEquals(0, server.requests());
  }
}
