package dev.idempo.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JDBC journal on SQLite, the embedded default: a file shared by every connection. */
class SqliteKeyJournalTest extends KeyJournalContract {
  @TempDir Path directory;

  String url() {
    return "jdbc:sqlite:" + directory.resolve("journal.db");
  }

  @Override
  KeyJournal open(InstantSource clock, Duration retention) {
    return JdbcKeyJournal.builder(url()).clock(clock).retention(retention).build();
  }

  /**
   * Regression: journals opening a new file at once switched it to WAL at once, and one could fail
   * with SQLITE_IOERR_DELETE_NOENT (seen in CI's concurrentReservationsAgreeOnOneKey).
   */
  @Test
  void journalsOpeningANewFileAtOnceAllGetIt() throws Exception {
    int journals = 8;
    ExecutorService pool = Executors.newFixedThreadPool(journals);
    try {
      for (int round = 0; round < 100; round++) {
        String url = "jdbc:sqlite:" + directory.resolve("new-" + round + ".db");
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> opened = new ArrayList<>();
        for (int j = 0; j < journals; j++) {
          JdbcKeyJournal journal = JdbcKeyJournal.builder(url).build();
          opened.add(
              pool.submit(
                  () -> {
                    start.await();
                    journal.createTableIfAbsent();
                    return null;
                  }));
        }
        start.countDown();
        for (Future<?> open : opened) {
          open.get(30, TimeUnit.SECONDS); // throws if the journal could not open its file
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private long count(String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Test
  void theTableIsCreatedOnFirstUseUnderItsConfiguredName() throws SQLException {
    JdbcKeyJournal journal =
        JdbcKeyJournal.builder(url()).table("client_keys").clock(clock).build();
    assertEquals(0, count("SELECT count(*) FROM sqlite_master WHERE name = 'client_keys'"));

    journal.reserve("job-1", key("k1"), REQUEST_A);

    assertEquals(
        1,
        count(
            "SELECT count(*) FROM client_keys WHERE operation_id = 'job-1' AND idempotency_key = 'k1'"));
    JdbcKeyJournal.builder(url())
        .table("client_keys")
        .build()
        .createTableIfAbsent(); // again: harmless
  }

  @Test
  void aSqliteFileIsOpenedInWalModeSoConcurrentWritersNeverTripOnTheRollbackJournal()
      throws SQLException {
    open(clock, Duration.ofDays(1)).reserve("job-1", key("k1"), REQUEST_A);

    try (Connection connection = DriverManager.getConnection(url());
        Statement statement = connection.createStatement();
        ResultSet mode = statement.executeQuery("PRAGMA journal_mode")) {
      mode.next();
      assertEquals("wal", mode.getString(1), "WAL is kept in the file once set");
    }
  }

  @Test
  void anUnreachableDatabaseIsReportedAndNothingIsReturned() {
    KeyJournal journal =
        JdbcKeyJournal.builder("jdbc:sqlite:" + directory.resolve("missing/dir/journal.db"))
            .build();
    JournalUnavailableException e =
        assertThrows(
            JournalUnavailableException.class,
            () -> journal.reserve("job-1", key("k1"), REQUEST_A));
    assertTrue(e.getMessage().contains("idempo_key_journal"), e.getMessage());
  }

  @Test
  void aConnectionOutsideAutoCommitIsCommitted() throws SQLException {
    javax.sql.DataSource manualCommit = new ManualCommitDataSource(url());
    JdbcKeyJournal.builder(manualCommit)
        .clock(clock)
        .build()
        .reserve("job-1", key("k1"), REQUEST_A);
    assertEquals(1, count("SELECT count(*) FROM idempo_key_journal"));
  }
}
