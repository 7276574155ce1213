package dev.idempo.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.TakeoverPolicy;
import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.store.tck.MutableClock;
import dev.idempo.testsupport.TestDatabases;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The claim form on SQLite, whose leases follow an injected clock. */
class ClaimingConsumerTest {
  private final DataSource dataSource = TestDatabases.newSqlite();
  private final MutableClock clock = MutableClock.start();
  private final JdbcIdempotencyStore store =
      JdbcIdempotencyStore.builder(dataSource).clock(clock).build();
  private final DeadLetters deadLetters = DeadLetters.on(dataSource, "idempo_");
  private final AtomicInteger mails = new AtomicInteger();
  private final EffectHandler sendMail = message -> mails.incrementAndGet();

  private ClaimingConsumer.Builder mailer() {
    return ClaimingConsumer.builder(store, deadLetters, "mailer")
        .messageId(MessageIdExtractor.header("event-id"))
        .lease(Duration.ofSeconds(30));
  }

  private static Message message(String id, String payload) {
    return Message.builder(payload.getBytes(StandardCharsets.UTF_8)).header("event-id", id).build();
  }

  @Test
  void runsTheEffectOnceAndAcknowledgesDuplicates() {
    ClaimingConsumer mailer = mailer().build();
    assertEquals(ConsumeOutcome.PROCESSED, mailer.consume(message("e-1", "hi"), sendMail));
    assertEquals(ConsumeOutcome.DUPLICATE, mailer.consume(message("e-1", "hi"), sendMail));
    assertEquals(1, mails.get());
  }

  @Test
  void failuresReleaseTheClaimUntilTheLimitThenParkAndRedeliveriesAreDuplicates() {
    ClaimingConsumer mailer = mailer().maxFailures(2).build();
    EffectHandler refused =
        message -> {
          throw new java.net.ConnectException("connection refused");
        };
    assertEquals(ConsumeOutcome.FAILED, mailer.consume(message("e-1", "hi"), refused));
    assertEquals(ConsumeOutcome.PARKED, mailer.consume(message("e-1", "hi"), refused));
    assertEquals(ConsumeOutcome.DUPLICATE, mailer.consume(message("e-1", "hi"), sendMail));
    assertEquals(0, mails.get());

    List<DeadLetter> parked = deadLetters.list("mailer", 10);
    assertEquals(1, parked.size());
    assertTrue(parked.get(0).reason().contains("connection refused"), parked.get(0).reason());
    assertTrue(mailer.replay(parked.get(0).id(), sendMail));
    assertEquals(1, mails.get());
    assertEquals(0, deadLetters.countParked("mailer"));
  }

  @Test
  void aFailureWithUnknownOutcomeIsParkedAtOnceAndNeverRunAgain() {
    ClaimingConsumer mailer =
        mailer().unknownOutcomeIf(failure -> failure instanceof HttpTimeoutException).build();
    EffectHandler timesOut =
        message -> {
          mails.incrementAndGet();
          throw new HttpTimeoutException("no answer from the mail API");
        };
    assertEquals(ConsumeOutcome.PARKED, mailer.consume(message("e-1", "hi"), timesOut));
    assertEquals(
        ConsumeOutcome.PARKED,
        mailer.consume(message("e-1", "hi"), sendMail),
        "a redelivery replays the unknown outcome: parked, not run");
    assertEquals(1, mails.get());
    assertTrue(deadLetters.list("mailer", 10).get(0).reason().startsWith("outcome unknown"));
  }

  @Test
  void aHolderThatStopsMidEffectIsInFlightThenParkedAsOutcomeUnknownWhenItsLeaseEnds()
      throws Exception {
    ClaimingConsumer mailer = mailer().build();
    CountDownLatch insideEffect = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<ConsumeOutcome> stuck =
        CompletableFuture.supplyAsync(
            () ->
                mailer.consume(
                    message("e-1", "hi"),
                    message -> {
                      mails.incrementAndGet();
                      insideEffect.countDown();
                      release.await();
                    }));
    assertTrue(insideEffect.await(30, TimeUnit.SECONDS));

    assertEquals(
        ConsumeOutcome.FAILED,
        mailer.consume(message("e-1", "hi"), sendMail),
        "in flight elsewhere: deliver again later");
    clock.advance(Duration.ofSeconds(31));
    assertEquals(
        ConsumeOutcome.PARKED,
        mailer.consume(message("e-1", "hi"), sendMail),
        "fail closed: the outcome is unknown, so it is parked, not run");
    release.countDown();
    assertEquals(
        ConsumeOutcome.PARKED,
        stuck.get(30, TimeUnit.SECONDS),
        "the stopped holder lost its claim; the message stays parked");
    assertEquals(1, mails.get());
    assertTrue(deadLetters.list("mailer", 10).get(0).reason().startsWith("outcome unknown"));
  }

  @Test
  void reexecuteRunsAgainAfterTheLeaseEnds() throws Exception {
    ClaimingConsumer mailer = mailer().takeover(TakeoverPolicy.REEXECUTE).build();
    CountDownLatch insideEffect = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<ConsumeOutcome> stuck =
        CompletableFuture.supplyAsync(
            () ->
                mailer.consume(
                    message("e-1", "hi"),
                    message -> {
                      insideEffect.countDown();
                      release.await();
                    }));
    assertTrue(insideEffect.await(30, TimeUnit.SECONDS));
    clock.advance(Duration.ofSeconds(31));
    assertEquals(ConsumeOutcome.PROCESSED, mailer.consume(message("e-1", "hi"), sendMail));
    release.countDown();
    stuck.get(30, TimeUnit.SECONDS);
    assertEquals(1, mails.get());
  }

  @Test
  void theSameIdWithAnotherPayloadIsParkedAsAMismatch() {
    ClaimingConsumer mailer = mailer().build();
    mailer.consume(message("e-1", "hi"), sendMail);
    assertEquals(ConsumeOutcome.PARKED, mailer.consume(message("e-1", "other"), sendMail));
    assertEquals(1, mails.get());
    assertTrue(deadLetters.list("mailer", 10).get(0).reason().contains("another payload"));
  }

  @Test
  void aMessageWithoutIdIsRefused() {
    ClaimingConsumer mailer = mailer().build();
    assertThrows(
        MissingMessageIdException.class,
        () -> mailer.consume(Message.builder(new byte[] {1}).build(), sendMail));
    assertEquals(0, mails.get());
  }

  @Test
  void resumeIsRefusedByName() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class, () -> mailer().takeover(TakeoverPolicy.RESUME));
    assertTrue(refused.getMessage().contains("RESUME"));
  }
}
