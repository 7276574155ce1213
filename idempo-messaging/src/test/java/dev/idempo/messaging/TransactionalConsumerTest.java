package dev.idempo.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.tck.MutableClock;
import dev.idempo.testsupport.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TransactionalConsumerTest {
  private final String prefix = TestDatabases.freshPrefix();
  private final String charges = prefix + "charges";
  private final AtomicInteger runs = new AtomicInteger();

  private DataSource setUp(TestDatabases database) {
    DataSource dataSource = database.dataSource();
    TestDatabases.execute(
        dataSource, "CREATE TABLE " + charges + " (message_id VARCHAR(100), amount BIGINT)");
    return dataSource;
  }

  private TransactionalConsumer.Builder consumer(DataSource dataSource) {
    return TransactionalConsumer.builder(dataSource, "payments")
        .tablePrefix(prefix)
        .messageId(MessageIdExtractor.header("event-id"));
  }

  private static Message message(String id, String payload) {
    return Message.builder(payload.getBytes(StandardCharsets.UTF_8))
        .header("event-id", id)
        .source("test")
        .build();
  }

  /** Inserts one charge row on the transaction's connection. */
  private final TransactionalHandler charge =
      (connection, message) -> {
        runs.incrementAndGet();
        try (PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO " + charges + " (message_id, amount) VALUES (?, ?)")) {
          insert.setString(1, message.header("event-id").orElseThrow());
          insert.setLong(2, Long.parseLong(new String(message.payload(), StandardCharsets.UTF_8)));
          insert.executeUpdate();
        }
      };

  private long chargeRows(DataSource dataSource) {
    return TestDatabases.count(dataSource, "SELECT COUNT(*) FROM " + charges);
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.class)
  void aDuplicateIsAcknowledgedWithoutRunningTheHandler(TestDatabases database) {
    DataSource dataSource = setUp(database);
    TransactionalConsumer payments = consumer(dataSource).build();

    assertEquals(ConsumeOutcome.PROCESSED, payments.consume(message("e-1", "100"), charge));
    assertEquals(ConsumeOutcome.DUPLICATE, payments.consume(message("e-1", "100"), charge));
    assertEquals(ConsumeOutcome.PROCESSED, payments.consume(message("e-2", "100"), charge));

    assertEquals(2, runs.get());
    assertEquals(2, chargeRows(dataSource));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.class)
  void anotherConsumerNameProcessesTheSameMessageIndependently(TestDatabases database) {
    DataSource dataSource = setUp(database);
    TransactionalConsumer payments = consumer(dataSource).build();
    TransactionalConsumer audit =
        TransactionalConsumer.builder(dataSource, "audit")
            .tablePrefix(prefix)
            .messageId(MessageIdExtractor.header("event-id"))
            .build();

    assertEquals(ConsumeOutcome.PROCESSED, payments.consume(message("e-1", "100"), charge));
    assertEquals(ConsumeOutcome.PROCESSED, audit.consume(message("e-1", "100"), charge));
    assertEquals(2, chargeRows(dataSource));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.class)
  void aFailingHandlerLeavesNeitherItsWritesNorTheDedupRecord(TestDatabases database) {
    DataSource dataSource = setUp(database);
    TransactionalConsumer payments = consumer(dataSource).build();
    TransactionalHandler chargeThenFail =
        (connection, message) -> {
          charge.handle(connection, message);
          throw new IllegalStateException("card network down");
        };

    assertEquals(ConsumeOutcome.FAILED, payments.consume(message("e-1", "100"), chargeThenFail));
    assertEquals(0, chargeRows(dataSource), "the handler's insert rolled back");

    assertEquals(ConsumeOutcome.PROCESSED, payments.consume(message("e-1", "100"), charge));
    assertEquals(ConsumeOutcome.DUPLICATE, payments.consume(message("e-1", "100"), charge));
    assertEquals(1, chargeRows(dataSource));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.class)
  void aMessageWithoutIdIsRefusedAndNeverProcessed(TestDatabases database) {
    DataSource dataSource = setUp(database);
    TransactionalConsumer payments = consumer(dataSource).build();
    Message noId =
        Message.builder("100".getBytes(StandardCharsets.UTF_8)).source("orders-0@7").build();

    MissingMessageIdException refused =
        assertThrows(MissingMessageIdException.class, () -> payments.consume(noId, charge));
    assertTrue(refused.getMessage().contains("header event-id"), refused.getMessage());
    assertTrue(refused.getMessage().contains("orders-0@7"), refused.getMessage());
    assertEquals(0, runs.get());

    payments.park(noId, refused.getMessage(), TransactionStep.NONE);
    List<DeadLetter> parked = payments.deadLetters().list("payments", 10);
    assertEquals(1, parked.size());
    assertTrue(parked.get(0).messageId().isEmpty());
    assertEquals("orders-0@7", parked.get(0).message().source());
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.class)
  void aPoisonMessageIsParkedAfterMaxFailuresThenListedAndReplayedOnce(TestDatabases database) {
    DataSource dataSource = setUp(database);
    List<String> events = new CopyOnWriteArrayList<>();
    TransactionalConsumer payments =
        consumer(dataSource)
            .maxFailures(3)
            .listener(
                new MessagingListener() {
                  @Override
                  public void onFailed(
                      String consumer, String id, Throwable failure, int failures) {
                    events.add("failed " + id + " " + failures);
                  }

                  @Override
                  public void onParked(String consumer, String id, String reason) {
                    events.add("parked " + id);
                  }
                })
            .build();
    TransactionalHandler poison =
        (connection, message) -> {
          charge.handle(connection, message);
          throw new NumberFormatException("bad amount in " + message);
        };
    Message message = message("e-poison", "100");

    assertEquals(ConsumeOutcome.FAILED, payments.consume(message, poison));
    assertEquals(ConsumeOutcome.FAILED, payments.consume(message, poison));
    assertEquals(ConsumeOutcome.PARKED, payments.consume(message, poison));
    assertEquals(List.of("failed e-poison 1", "failed e-poison 2", "parked e-poison"), events);
    assertEquals(
        ConsumeOutcome.DUPLICATE,
        payments.consume(message, poison),
        "a redelivery of a parked message is acknowledged without running");
    assertEquals(0, chargeRows(dataSource));

    List<DeadLetter> parked = payments.deadLetters().list("payments", 10);
    assertEquals(1, parked.size());
    DeadLetter letter = parked.get(0);
    assertEquals("e-poison", letter.messageId().orElseThrow());
    assertEquals(3, letter.failures());
    assertTrue(letter.reason().contains("NumberFormatException"), letter.reason());
    assertEquals(message, letter.message());
    assertEquals(1, payments.deadLetters().countParked("payments"));

    assertThrows(
        IllegalStateException.class,
        () ->
            payments.replay(
                letter.id(),
                (connection, m) -> {
                  throw new IllegalStateException("still broken");
                }));
    assertEquals(1, payments.deadLetters().countParked("payments"), "a failed replay stays parked");

    assertTrue(payments.replay(letter.id(), charge));
    assertFalse(payments.replay(letter.id(), charge), "a replayed letter is not replayed twice");
    assertEquals(1, chargeRows(dataSource));
    assertEquals(0, payments.deadLetters().countParked("payments"));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.class)
  void concurrentDuplicatesRunTheHandlerOnce(TestDatabases database) throws Exception {
    DataSource dataSource = setUp(database);
    TransactionalConsumer payments = consumer(dataSource).build();
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<ConsumeOutcome>> outcomes = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Callable<ConsumeOutcome> delivery =
            () -> {
              start.await();
              return payments.consume(message("e-race", "100"), charge);
            };
        outcomes.add(pool.submit(delivery));
      }
      start.countDown();
      int processed = 0;
      for (Future<ConsumeOutcome> outcome : outcomes) {
        ConsumeOutcome value = outcome.get(60, TimeUnit.SECONDS);
        assertTrue(
            value == ConsumeOutcome.PROCESSED || value == ConsumeOutcome.DUPLICATE, value.name());
        processed += value == ConsumeOutcome.PROCESSED ? 1 : 0;
      }
      assertEquals(1, processed);
      assertEquals(1, chargeRows(dataSource));
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.class)
  void afterRetentionARedeliveryRunsAgainAndPurgeDeletesInBatches(TestDatabases database) {
    DataSource dataSource = setUp(database);
    MutableClock clock = MutableClock.start();
    TransactionalConsumer payments =
        consumer(dataSource).retention(Duration.ofHours(1)).clock(clock).build();
    for (int i = 0; i < 5; i++) {
      payments.consume(message("e-" + i, "1"), charge);
    }
    clock.advance(Duration.ofMinutes(59));
    assertEquals(ConsumeOutcome.DUPLICATE, payments.consume(message("e-0", "1"), charge));
    assertEquals(0, payments.purgeExpired(100), "nothing expired yet");

    clock.advance(Duration.ofMinutes(2));
    assertEquals(
        ConsumeOutcome.PROCESSED,
        payments.consume(message("e-0", "1"), charge),
        "after retention the record counts as absent");
    assertEquals(2, payments.purgeExpired(2));
    assertEquals(2, payments.purgeExpired(2));
    assertEquals(0, payments.purgeExpired(2), "e-0's revived record is live");
    assertEquals(1, TestDatabases.count(dataSource, "SELECT COUNT(*) FROM " + prefix + "consumed"));
  }

  @Test
  void oneStatementPerMessageBesidesTheHandlers() {
    DataSource dataSource = setUp(TestDatabases.POSTGRESQL);
    StatementCountingDataSource counting = new StatementCountingDataSource(dataSource);
    TransactionalConsumer payments = consumer(counting).build();
    counting.reset();
    for (int i = 0; i < 10; i++) {
      payments.consume(message("e-" + i, "1"), charge);
    }
    assertEquals(20, counting.statements(), "10 handler inserts + 10 dedup inserts");
    counting.reset();
    payments.consume(message("e-3", "1"), charge);
    assertEquals(1, counting.statements(), "a duplicate costs its one insert");
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.class)
  void aBatchSettlesInOneTransactionWithOneStatementPerMessageAndOneAlongside(
      TestDatabases database) {
    DataSource dataSource = setUp(database);
    StatementCountingDataSource counting = new StatementCountingDataSource(dataSource);
    TransactionalConsumer payments = consumer(counting).build();
    payments.consume(message("e-0", "1"), charge);
    AtomicInteger alongside = new AtomicInteger();
    counting.reset();

    Optional<List<ConsumeOutcome>> outcomes =
        payments.consumeAll(
            List.of(
                message("e-0", "1"), message("e-1", "1"), message("e-2", "1"), message("e-1", "1")),
            charge,
            connection -> alongside.incrementAndGet());

    assertEquals(
        Optional.of(
            List.of(
                ConsumeOutcome.DUPLICATE,
                ConsumeOutcome.PROCESSED,
                ConsumeOutcome.PROCESSED,
                ConsumeOutcome.DUPLICATE)),
        outcomes);
    assertEquals(1, alongside.get());
    assertEquals(6, counting.statements(), "4 dedup inserts + 2 handler inserts");
    assertEquals(3, chargeRows(dataSource));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.class)
  void aBatchWithAFailingHandlerRollsBackWholeAndCountsNothing(TestDatabases database) {
    DataSource dataSource = setUp(database);
    TransactionalConsumer payments = consumer(dataSource).maxFailures(1).build();
    TransactionalHandler failsOnSecond =
        (connection, message) -> {
          charge.handle(connection, message);
          if (message.header("event-id").orElseThrow().equals("e-2")) {
            throw new IllegalStateException("poison");
          }
        };
    assertEquals(
        Optional.empty(),
        payments.consumeAll(
            List.of(message("e-1", "1"), message("e-2", "1")),
            failsOnSecond,
            TransactionStep.NONE));
    assertEquals(0, chargeRows(dataSource));
    assertEquals(0, payments.deadLetters().countParked("payments"), "nothing counted yet");
    assertEquals(ConsumeOutcome.PROCESSED, payments.consume(message("e-1", "1"), failsOnSecond));
    assertEquals(
        Optional.empty(),
        payments.consumeAll(
            List.of(message("e-3", "1"), Message.builder(new byte[0]).build()),
            charge,
            TransactionStep.NONE),
        "a message without id sends the batch one by one");
    assertEquals(1, chargeRows(dataSource));
  }

  @Test
  void builderRejectsBadValuesNamingThem() {
    DataSource dataSource = TestDatabases.newSqlite();
    IllegalArgumentException name =
        assertThrows(
            IllegalArgumentException.class, () -> TransactionalConsumer.builder(dataSource, " "));
    assertTrue(name.getMessage().contains("consumer name"), name.getMessage());
    IllegalArgumentException failures =
        assertThrows(
            IllegalArgumentException.class,
            () -> TransactionalConsumer.builder(dataSource, "c").maxFailures(0));
    assertTrue(failures.getMessage().contains("maxFailures"), failures.getMessage());
    IllegalArgumentException prefix =
        assertThrows(
            IllegalArgumentException.class,
            () -> TransactionalConsumer.builder(dataSource, "c").tablePrefix("x; DROP TABLE"));
    assertTrue(prefix.getMessage().contains("tablePrefix"), prefix.getMessage());
  }
}
