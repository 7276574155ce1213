package dev.idempo.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.testsupport.PostgresServer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The JDBC journal on a real PostgreSQL server; one table per test keeps tests apart. */
class PostgresKeyJournalTest extends KeyJournalContract {
  private static final AtomicInteger TABLES = new AtomicInteger();

  private final String table = "key_journal_" + TABLES.incrementAndGet();

  @Override
  KeyJournal open(InstantSource clock, Duration retention) {
    return JdbcKeyJournal.builder(
            PostgresServer.shared().jdbcUrl() + "?user=" + PostgresServer.USER)
        .table(table)
        .clock(clock)
        .retention(retention)
        .build();
  }

  @Test
  void aManualCommitConnectionIsCommitted() {
    String url = PostgresServer.shared().jdbcUrl() + "?user=" + PostgresServer.USER;
    JdbcKeyJournal.builder(new ManualCommitDataSource(url))
        .table(table)
        .clock(clock)
        .build()
        .reserve("job-1", key("k1"), REQUEST_A);
    assertEquals(key("k1"), open().find("job-1").orElseThrow().key());
  }
}
