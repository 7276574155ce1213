package dev.idempo.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.tck.MutableClock;
import dev.idempo.testsupport.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OutboxTest {
  private final String prefix = TestDatabases.freshPrefix();
  private final MutableClock clock = MutableClock.start();
  private final List<OutboxEvent> published = new CopyOnWriteArrayList<>();
  private final OutboxPublisher recording =
      event -> {
        published.add(event);
        return CompletableFuture.completedFuture(null);
      };

  private Outbox outbox(DataSource dataSource) {
    return Outbox.builder(dataSource).tablePrefix(prefix).clock(clock).build();
  }

  private static String schedule(Outbox outbox, DataSource dataSource, String key, String body) {
    try (Connection connection = dataSource.getConnection()) {
      return outbox.schedule(
          connection,
          "orders",
          key,
          body.getBytes(StandardCharsets.UTF_8),
          Map.of("type", "order-placed"));
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> bodies(List<OutboxEvent> events) {
    List<String> bodies = new ArrayList<>();
    events.forEach(event -> bodies.add(new String(event.payload(), StandardCharsets.UTF_8)));
    return bodies;
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.class)
  void anEventExistsIfAndOnlyIfTheCallersTransactionCommits(TestDatabases database)
      throws Exception {
    DataSource dataSource = database.dataSource();
    Outbox outbox = outbox(dataSource);
    String committed;
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      outbox.schedule(connection, "orders", "c-1", new byte[] {1}, Map.of());
      connection.rollback();
      committed =
          outbox.schedule(connection, "orders", "c-1", new byte[] {2}, Map.of("a", "b=c&d"));
      connection.commit();
    }
    assertEquals(1, outbox.pendingCount());
    OutboxRelay relay = OutboxRelay.builder(outbox, recording).build();
    assertEquals(1, relay.relayOnce());
    assertEquals(1, published.size());
    OutboxEvent event = published.get(0);
    assertEquals(committed, event.id());
    assertEquals("orders", event.destination());
    assertEquals("c-1", event.key().orElseThrow());
    assertEquals(Map.of("a", "b=c&d"), event.headers());
    assertEquals(0, outbox.pendingCount(), "a delivered event is deleted");
    assertEquals(0, relay.relayOnce());
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.class)
  void eventsOfOneKeyGoOutOneAfterAnotherInOrder(TestDatabases database) {
    DataSource dataSource = database.dataSource();
    Outbox outbox = outbox(dataSource);
    schedule(outbox, dataSource, "a", "a1");
    schedule(outbox, dataSource, "a", "a2");
    schedule(outbox, dataSource, "b", "b1");
    schedule(outbox, dataSource, "a", "a3");
    schedule(outbox, dataSource, null, "n1");
    schedule(outbox, dataSource, null, "n2");
    OutboxRelay relay = OutboxRelay.builder(outbox, recording).build();

    assertEquals(4, relay.relayOnce());
    assertEquals(List.of("a1", "b1", "n1", "n2"), bodies(published));
    assertEquals(1, relay.relayOnce());
    assertEquals(1, relay.relayOnce());
    assertEquals(List.of("a1", "b1", "n1", "n2", "a2", "a3"), bodies(published));
    assertEquals(Duration.ZERO, outbox.oldestPendingAge());
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.class)
  void aFailingEventBacksOffHoldsItsKeyBackThenIsDeadWithItsReason(TestDatabases database) {
    DataSource dataSource = database.dataSource();
    Outbox outbox = outbox(dataSource);
    schedule(outbox, dataSource, "a", "poison");
    schedule(outbox, dataSource, "a", "a2");
    schedule(outbox, dataSource, "b", "b1");
    AtomicInteger failures = new AtomicInteger();
    List<String> dead = new CopyOnWriteArrayList<>();
    OutboxPublisher publisher =
        event -> {
          if (new String(event.payload(), StandardCharsets.UTF_8).equals("poison")) {
            failures.incrementAndGet();
            return CompletableFuture.failedFuture(new IllegalStateException("topic refused it"));
          }
          return recording.publish(event);
        };
    OutboxRelay relay =
        OutboxRelay.builder(outbox, publisher)
            .maxAttempts(3)
            .backoff(Duration.ofSeconds(1), Duration.ofSeconds(10))
            .random(new Random(7))
            .listener(
                new OutboxListener() {
                  @Override
                  public void onDead(OutboxEvent event, Throwable failure) {
                    dead.add(event.id());
                  }
                })
            .build();

    assertEquals(1, relay.relayOnce(), "b1 goes; the poison head fails");
    assertEquals(1, failures.get());
    assertEquals(0, relay.relayOnce(), "backing off, and a2 waits behind its key's head");
    clock.advance(Duration.ofSeconds(1)); // the first backoff is at most the base
    assertEquals(0, relay.relayOnce());
    assertEquals(2, failures.get());
    clock.advance(Duration.ofSeconds(2));
    assertEquals(0, relay.relayOnce(), "the third failure kills the head");
    assertEquals(3, failures.get());
    assertEquals(1, dead.size());
    assertEquals(1, relay.relayOnce(), "its key moves on to a2");
    assertEquals(List.of("b1", "a2"), bodies(published));

    List<Map.Entry<OutboxEvent, String>> deadEvents = outbox.dead(10);
    assertEquals(1, deadEvents.size());
    assertTrue(deadEvents.get(0).getValue().contains("topic refused it"));
    assertEquals(0, outbox.pendingCount());
    assertTrue(outbox.retryDead(deadEvents.get(0).getKey().id()));
    assertEquals(1, outbox.pendingCount());
  }

  @Test
  void backoffIsFullJitterUnderTheExponentialCeiling() {
    OutboxRelay relay =
        OutboxRelay.builder(outbox(TestDatabases.newSqlite()), recording)
            .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
            .random(new Random(42))
            .build();
    for (int attempts = 1; attempts <= 70; attempts++) {
      long ceiling = Math.min(2000, 100L << Math.min(attempts - 1, 20));
      long max = 0;
      long min = Long.MAX_VALUE;
      for (int i = 0; i < 200; i++) {
        long millis = relay.backoff(attempts).toMillis();
        assertTrue(millis >= 0 && millis <= ceiling, attempts + ": " + millis + " > " + ceiling);
        max = Math.max(max, millis);
        min = Math.min(min, millis);
      }
      assertTrue(
          max > ceiling * 0.8 && min < ceiling * 0.2,
          "spread over the whole range at attempt " + attempts + ": " + min + ".." + max);
    }
  }

  // Thread.yield widens the window an overlapping dispatch would show in; nothing waits on it.
  @SuppressWarnings("ThreadPriorityCheck")
  @ParameterizedTest
  @EnumSource(TestDatabases.class)
  void severalRelaysNeverDispatchOneEventAtOnceAndKeepPerKeyOrder(TestDatabases database)
      throws Exception {
    DataSource dataSource = database.dataSource();
    Outbox outbox = Outbox.builder(dataSource).tablePrefix(prefix).build();
    int events = 300;
    for (int i = 0; i < events; i++) {
      schedule(outbox, dataSource, "k" + (i % 10), Integer.toString(i));
    }
    Set<String> inFlight = ConcurrentHashMap.newKeySet();
    List<String> overlaps = new CopyOnWriteArrayList<>();
    Map<String, List<Integer>> orderByKey = new ConcurrentHashMap<>();
    ExecutorService destination = Executors.newFixedThreadPool(4);
    OutboxPublisher slowish =
        event ->
            CompletableFuture.runAsync(
                () -> {
                  if (!inFlight.add(event.id())) {
                    overlaps.add(event.id());
                  }
                  orderByKey
                      .computeIfAbsent(event.key().orElseThrow(), k -> new CopyOnWriteArrayList<>())
                      .add(Integer.parseInt(new String(event.payload(), StandardCharsets.UTF_8)));
                  Thread.yield();
                  inFlight.remove(event.id());
                },
                destination);
    ExecutorService relays = Executors.newFixedThreadPool(3);
    try {
      List<Future<Integer>> counts = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        OutboxRelay relay = OutboxRelay.builder(outbox, slowish).batchSize(7).build();
        counts.add(
            relays.submit(
                () -> {
                  int total = 0;
                  for (int idle = 0; idle < 50; ) {
                    int n = relay.relayOnce();
                    total += n;
                    idle = n == 0 ? idle + 1 : 0;
                    if (n == 0) {
                      Thread.sleep(5); // lets another relay finish its pass
                    }
                  }
                  return total;
                }));
      }
      int total = 0;
      for (Future<Integer> count : counts) {
        total += count.get(120, TimeUnit.SECONDS);
      }
      assertEquals(events, total, "each event deleted once");
    } finally {
      relays.shutdownNow();
      destination.shutdownNow();
    }
    assertEquals(List.of(), overlaps);
    assertEquals(0, outbox.pendingCount());
    Map<String, List<Integer>> expected = new HashMap<>();
    for (int i = 0; i < events; i++) {
      expected.computeIfAbsent("k" + (i % 10), k -> new ArrayList<>()).add(i);
    }
    assertEquals(expected, orderByKey, "every event once, in order per key");
  }

  @Test
  void aLeaseShorterThanTwicePublishTimeoutIsRefused() {
    Outbox outbox = outbox(TestDatabases.newSqlite());
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                OutboxRelay.builder(outbox, recording)
                    .lease(Duration.ofSeconds(10))
                    .publishTimeout(Duration.ofSeconds(30))
                    .build());
    assertTrue(refused.getMessage().contains("lease"));
  }
}
