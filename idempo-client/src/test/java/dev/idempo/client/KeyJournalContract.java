package dev.idempo.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.Fingerprint;
import dev.idempo.IdempotencyKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link KeyJournal} must do. A subclass opens journals over one storage per test; each
 * {@link #open} is a fresh instance, as a restarted process would make.
 */
abstract class KeyJournalContract {
  static final Duration RETENTION = Duration.ofHours(1);
  static final Fingerprint REQUEST_A =
      Fingerprint.of("POST /charges amount=1".getBytes(StandardCharsets.UTF_8));
  static final Fingerprint REQUEST_B =
      Fingerprint.of("POST /charges amount=2".getBytes(StandardCharsets.UTF_8));

  final FakeClock clock = new FakeClock();

  /** A new journal instance over this test's storage. */
  abstract KeyJournal open(InstantSource clock, Duration retention);

  KeyJournal open() {
    return open(clock, RETENTION);
  }

  static IdempotencyKey key(String value) {
    return IdempotencyKey.of(value);
  }

  @Test
  void aNewOperationRecordsTheCandidateKey() {
    JournalEntry entry = open().reserve("job-1", key("k1"), REQUEST_A);

    assertEquals("job-1", entry.operationId());
    assertEquals(key("k1"), entry.key());
    assertEquals(REQUEST_A, entry.fingerprint());
    assertEquals(clock.instant(), entry.createdAt());
    assertEquals(clock.instant().plus(RETENTION), entry.expiresAt());
    assertEquals(entry, open().find("job-1").orElseThrow());
  }

  @Test
  void aRestartedProcessGetsTheRecordedKey() {
    open().reserve("job-42", key("first-key"), REQUEST_A);
    clock.advance(Duration.ofMinutes(10));

    JournalEntry afterRestart = open().reserve("job-42", key("second-key"), REQUEST_A);

    assertEquals(key("first-key"), afterRestart.key());
  }

  @Test
  void anotherRequestUnderTheSameOperationIsRefused() {
    open().reserve("job-7", key("k1"), REQUEST_A);

    JournalMismatchException e =
        assertThrows(
            JournalMismatchException.class, () -> open().reserve("job-7", key("k2"), REQUEST_B));

    assertEquals("job-7", e.operationId());
    assertTrue(e.getMessage().contains("'job-7'"), e.getMessage());
    assertEquals(key("k1"), open().find("job-7").orElseThrow().key(), "the entry is unchanged");
  }

  @Test
  void anEntryLivesForTheRetentionAndThenMakesWayForANewKey() {
    open().reserve("job-1", key("k1"), REQUEST_A);
    clock.advance(RETENTION.minusMillis(1));
    assertEquals(key("k1"), open().reserve("job-1", key("k2"), REQUEST_A).key());

    clock.advance(Duration.ofMillis(1));
    assertTrue(open().find("job-1").isEmpty(), "expired");
    JournalEntry renewed = open().reserve("job-1", key("k3"), REQUEST_B);

    assertEquals(
        key("k3"), renewed.key(), "an expired entry neither binds the key nor the request");
    assertEquals(REQUEST_B, renewed.fingerprint());
    assertEquals(key("k3"), open().reserve("job-1", key("k4"), REQUEST_B).key());
  }

  @Test
  void operationsAreIndependent() {
    KeyJournal journal = open();
    journal.reserve("job-1", key("k1"), REQUEST_A);
    assertEquals(key("k2"), journal.reserve("job-2", key("k2"), REQUEST_B).key());
    assertTrue(journal.find("job-3").isEmpty());
  }

  @Test
  void removeForgetsAnOperation() {
    KeyJournal journal = open();
    journal.reserve("job-1", key("k1"), REQUEST_A);

    assertTrue(journal.remove("job-1"));
    assertFalse(journal.remove("job-1"));
    assertTrue(open().find("job-1").isEmpty());
    assertEquals(key("k2"), open().reserve("job-1", key("k2"), REQUEST_B).key());
  }

  @Test
  void purgeDeletesOnlyExpiredEntries() {
    KeyJournal journal = open();
    journal.reserve("old-1", key("k1"), REQUEST_A);
    journal.reserve("old-2", key("k2"), REQUEST_A);
    clock.advance(Duration.ofMinutes(30));
    journal.reserve("young", key("k3"), REQUEST_A);
    clock.advance(Duration.ofMinutes(30));

    assertEquals(2, journal.purgeExpired());
    assertEquals(0, journal.purgeExpired());
    assertEquals(key("k3"), open().find("young").orElseThrow().key());
  }

  @Test
  void unusualOperationIdsRoundTrip() {
    KeyJournal journal = open();
    List<String> ids =
        List.of(
            "tenant/7:job=42 & more",
            "ümlaut-ジョブ-🙂",
            "../../etc/passwd",
            "x".repeat(512),
            "%2F%41",
            "'; DROP TABLE t; --");
    for (int i = 0; i < ids.size(); i++) {
      journal.reserve(ids.get(i), key("k" + i), REQUEST_A);
    }
    for (int i = 0; i < ids.size(); i++) {
      JournalEntry entry = open().find(ids.get(i)).orElseThrow();
      assertEquals(ids.get(i), entry.operationId());
      assertEquals(key("k" + i), entry.key());
    }
  }

  @Test
  void badArgumentsAreRejectedByName() {
    KeyJournal journal = open();
    assertThrows(IllegalArgumentException.class, () -> journal.reserve("", key("k"), REQUEST_A));
    assertThrows(
        IllegalArgumentException.class,
        () -> journal.reserve("x".repeat(513), key("k"), REQUEST_A));
    assertThrows(
        IllegalArgumentException.class, () -> journal.reserve("a\u0000b", key("k"), REQUEST_A));
    assertEquals(
        "candidateKey must not be null",
        assertThrows(NullPointerException.class, () -> journal.reserve("job", null, REQUEST_A))
            .getMessage());
    assertEquals(
        "fingerprint must not be null",
        assertThrows(NullPointerException.class, () -> journal.reserve("job", key("k"), null))
            .getMessage());
  }

  @Test
  void concurrentReservationsAgreeOnOneKey() throws Exception {
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      for (int round = 0; round < 3; round++) {
        String operation = "race-" + round;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<IdempotencyKey>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          KeyJournal journal = open(); // one instance per writer, like separate processes
          IdempotencyKey candidate = key("candidate-" + round + "-" + w);
          results.add(
              pool.submit(
                  () -> {
                    start.await();
                    return journal.reserve(operation, candidate, REQUEST_A).key();
                  }));
        }
        start.countDown();
        Set<IdempotencyKey> winners = new HashSet<>();
        for (Future<IdempotencyKey> result : results) {
          winners.add(result.get(30, TimeUnit.SECONDS));
        }
        assertEquals(1, winners.size(), "round " + round + ": " + winners);
        assertEquals(winners.iterator().next(), open().find(operation).orElseThrow().key());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentReplacementsOfAnExpiredEntryAgreeOnOneKey() throws Exception {
    open().reserve("expiring", key("old"), REQUEST_A);
    clock.advance(RETENTION);
    int writers = 6;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<IdempotencyKey>> results = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        KeyJournal journal = open();
        IdempotencyKey candidate = key("new-" + w);
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return journal.reserve("expiring", candidate, REQUEST_A).key();
                }));
      }
      start.countDown();
      Set<IdempotencyKey> winners = new HashSet<>();
      for (Future<IdempotencyKey> result : results) {
        winners.add(result.get(30, TimeUnit.SECONDS));
      }
      assertEquals(1, winners.size(), winners.toString());
      assertFalse(winners.contains(key("old")));
    } finally {
      pool.shutdownNow();
    }
  }
}
