package dev.idempo.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.tck.MutableClock;
import dev.idempo.testsupport.TestDatabases;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DeadLettersTest {
  @ParameterizedTest
  @EnumSource(TestDatabases.class)
  void parkedLettersStayUntilDeletedWhileFailureCountsArePurgedInBatches(TestDatabases database) {
    DataSource dataSource = database.dataSource();
    MutableClock clock = MutableClock.start();
    TransactionalConsumer consumer =
        TransactionalConsumer.builder(dataSource, "payments")
            .tablePrefix(TestDatabases.freshPrefix())
            .clock(clock)
            .maxFailures(2)
            .build();
    TransactionalHandler failing =
        (connection, message) -> {
          throw new IllegalStateException("down");
        };
    for (int i = 0; i < 3; i++) {
      consumer.consume(Message.builder(new byte[0]).brokerMessageId("f-" + i).build(), failing);
    }
    Message poison = Message.builder(new byte[0]).brokerMessageId("p-1").build();
    consumer.consume(poison, failing);
    assertEquals(ConsumeOutcome.PARKED, consumer.consume(poison, failing));
    AtomicInteger alongside = new AtomicInteger();
    consumer.park(
        Message.builder(new byte[0]).build(), "no id", connection -> alongside.incrementAndGet());
    assertEquals(1, alongside.get(), "a runner's offset write commits with the parking");

    DeadLetters deadLetters = consumer.deadLetters();
    assertEquals(2, deadLetters.countParked("payments"));
    clock.advance(Duration.ofHours(2));
    assertEquals(2, deadLetters.purge(Duration.ofHours(1), 2));
    assertEquals(1, deadLetters.purge(Duration.ofHours(1), 2));
    assertEquals(0, deadLetters.purge(Duration.ofHours(1), 2), "parked letters are never purged");
    assertEquals(2, deadLetters.countParked("payments"));

    long id = deadLetters.list("payments", 10).get(0).id();
    assertTrue(deadLetters.delete(id));
    assertFalse(deadLetters.delete(id));
    assertEquals(1, deadLetters.countParked("payments"));
    assertEquals(
        ConsumeOutcome.DUPLICATE,
        consumer.consume(poison, failing),
        "a deleted letter's message is still acknowledged as a duplicate");
  }
}
