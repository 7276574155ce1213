package dev.idempo.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.http.CapturedResponse;
import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.store.tck.MutableClock;
import dev.idempo.testsupport.ChildProcesses;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver process killed (SIGKILL) inside its handler: the sender's retry runs the event once.
 * Leased mode waits for the dead receiver's lease; transactional mode needs no wait, the killed
 * transaction having taken the event id's row with it.
 */
class HandlerKilledTest {
  @TempDir Path directory;

  @Test
  void leasedModeRunsTheRetryOnceTheDeadReceiversLeaseIsOver() throws Exception {
    Path file = directory.resolve("leased.db");
    DataSource dataSource = Databases.sqlite(file);
    killInsideHandler(file, "leased");

    MutableClock clock = new MutableClock(Instant.now());
    AtomicInteger runs = new AtomicInteger();
    WebhookReceiver receiver =
        WebhookReceiver.builder(JdbcIdempotencyStore.builder(dataSource).clock(clock).build())
            .endpoint(
                StripeDeliveries.PATH, StripeDeliveries.verifier(), event -> runs.incrementAndGet())
            .clock(clock)
            .build();
    CapturedResponse early = receiver.receive(StripeDeliveries.signed("evt_k", clock.instant()));
    assertEquals(503, early.status(), "the dead receiver's lease still runs");
    assertEquals(0, runs.get());

    clock.advance(WebhookReceiver.DEFAULT_LEASE.plus(Duration.ofSeconds(1)));
    assertEquals(200, receiver.receive(StripeDeliveries.signed("evt_k", clock.instant())).status());
    CapturedResponse again = receiver.receive(StripeDeliveries.signed("evt_k", clock.instant()));
    assertEquals("true", again.header(WebhookReceiver.REPLAYED_HEADER).orElseThrow());
    assertEquals(1, runs.get());
  }

  @Test
  void transactionalModeRunsTheRetryAtOnceAndExactlyOnce() throws Exception {
    Path file = directory.resolve("transactional.db");
    DataSource dataSource = Databases.sqlite(file);
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE payments (event_id TEXT NOT NULL)");
    }
    killInsideHandler(file, "transactional");
    assertEquals(0, payments(dataSource), "the killed transaction's insert rolled back");

    AtomicInteger runs = new AtomicInteger();
    WebhookReceiver receiver =
        WebhookReceiver.builder(JdbcIdempotencyStore.builder(dataSource).build())
            .transactionalEndpoint(
                StripeDeliveries.PATH,
                StripeDeliveries.verifier(),
                dataSource,
                (event, connection) -> {
                  runs.incrementAndGet();
                  try (var insert =
                      connection.prepareStatement("INSERT INTO payments VALUES (?)")) {
                    insert.setString(1, event.id());
                    insert.executeUpdate();
                  }
                })
            .build();
    assertEquals(200, receiver.receive(StripeDeliveries.signed("evt_k", Instant.now())).status());
    assertEquals(200, receiver.receive(StripeDeliveries.signed("evt_k", Instant.now())).status());
    assertEquals(1, runs.get());
    assertEquals(1, payments(dataSource));
  }

  private static void killInsideHandler(Path file, String mode) throws Exception {
    Process child = ChildProcesses.start(CrashChild.class, file.toString(), mode, "evt_k");
    try {
      ChildProcesses.awaitLine(child, CrashChild.INSIDE);
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block in the child runs
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
    }
  }

  private static int payments(DataSource dataSource) throws Exception {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM payments")) {
      rows.next();
      return rows.getInt(1);
    }
  }
}
