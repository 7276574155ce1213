package dev.idempo.client;

import dev.idempo.Fingerprint;
import dev.idempo.IdempotencyKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A {@link KeyJournal} in a SQL table, over any {@link DataSource} or JDBC URL; tested on SQLite
 * and PostgreSQL (any database with {@code INSERT … ON CONFLICT (…) DO NOTHING} works).
 *
 * <p>The table is created on first use if absent:
 *
 * <pre>
 * CREATE TABLE IF NOT EXISTS idempo_key_journal (
 *   operation_id    VARCHAR(512) NOT NULL PRIMARY KEY,
 *   idempotency_key VARCHAR(255) NOT NULL,
 *   fingerprint     CHAR(64)     NOT NULL,
 *   created_at_ms   BIGINT       NOT NULL)
 * </pre>
 *
 * <p>Atomicity: a new operation is recorded by one {@code INSERT … ON CONFLICT DO NOTHING}, so the
 * primary key makes the first writer win across threads, processes and machines; an expired entry
 * is replaced by an {@code UPDATE} conditioned on the row read (key and creation time), so two
 * replacers cannot both win. Each call commits before it returns (it commits itself when the
 * connection is not in auto-commit mode).
 *
 * <p>Time: entries are dated and expired by the injected clock (the journal is the client's memory,
 * not a shared lease), so clients sharing a table should have roughly synchronised clocks; a skew
 * only shifts when an entry expires.
 *
 * <p>Defaults: table {@value #DEFAULT_TABLE}, retention 24 hours, system clock. Thread-safe.
 */
public final class JdbcKeyJournal implements KeyJournal {
  /** The default table name. */
  public static final String DEFAULT_TABLE = "idempo_key_journal";

  /** The retention limit: a year. */
  public static final Duration MAX_RETENTION = Duration.ofDays(365);

  private static final Pattern TABLE_NAME =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0,62}");

  /** Insert, read, conditional replace: only a row expiring or vanishing under us loops again. */
  private static final int MAX_ROUNDS = 8;

  /** Opens of a SQLite file that may meet another connection's journal switch; see below. */
  private static final int JOURNAL_SWITCH_ATTEMPTS = 45;

  @FunctionalInterface
  private interface ConnectionSource {
    Connection open() throws SQLException;
  }

  @FunctionalInterface
  private interface SqlWork<R> {
    R run(Connection connection) throws SQLException;
  }

  private final ConnectionSource connections;
  private final String source;
  private final String table;
  private final Duration retention;
  private final InstantSource clock;
  private final String insertSql;
  private final String selectSql;
  private final String replaceSql;
  private final String deleteSql;
  private final String purgeSql;
  private volatile boolean tableReady;

  private JdbcKeyJournal(Builder builder) {
    this.connections = builder.connections;
    this.source = builder.source;
    this.table = builder.table;
    this.retention = builder.retention;
    this.clock = builder.clock;
    this.insertSql =
        "INSERT INTO "
            + table
            + " (operation_id, idempotency_key, fingerprint, created_at_ms) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (operation_id) DO NOTHING";
    this.selectSql =
        "SELECT idempotency_key, fingerprint, created_at_ms FROM "
            + table
            + " WHERE operation_id = ?";
    this.replaceSql =
        "UPDATE "
            + table
            + " SET idempotency_key = ?, fingerprint = ?, created_at_ms = ?"
            + " WHERE operation_id = ? AND idempotency_key = ? AND created_at_ms = ?";
    this.deleteSql = "DELETE FROM " + table + " WHERE operation_id = ?";
    this.purgeSql = "DELETE FROM " + table + " WHERE created_at_ms <= ?";
  }

  /** A journal on connections from {@code dataSource} (a pool, typically). */
  public static Builder builder(DataSource dataSource) {
    Checks.notNull(dataSource, "dataSource");
    return new Builder(dataSource::getConnection, dataSource.getClass().getSimpleName());
  }

  /**
   * A journal on connections opened with {@link DriverManager#getConnection(String, Properties)},
   * e.g. {@code jdbc:sqlite:/var/lib/app/journal.db}; the driver must be on the class path. SQLite
   * files are opened in WAL mode with a 5 s busy timeout unless the URL sets {@code journal_mode}
   * or {@code busy_timeout} itself: in the default rollback-journal mode, concurrent writers in one
   * process can fail with I/O errors on the journal file.
   */
  public static Builder builder(String jdbcUrl) {
    Checks.notNull(jdbcUrl, "jdbcUrl");
    if (!jdbcUrl.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "jdbcUrl must start with 'jdbc:', was '" + withoutParameters(jdbcUrl) + "'");
    }
    Properties properties = new Properties();
    if (jdbcUrl.startsWith("jdbc:sqlite:")) {
      if (!jdbcUrl.contains("journal_mode")) {
        properties.setProperty("journal_mode", "WAL");
      }
      if (!jdbcUrl.contains("busy_timeout")) {
        properties.setProperty("busy_timeout", "5000");
      }
    }
    ConnectionSource open = () -> DriverManager.getConnection(jdbcUrl, properties);
    return new Builder(
        jdbcUrl.startsWith("jdbc:sqlite:") ? retryingJournalSwitch(open) : open,
        withoutParameters(jdbcUrl));
  }

  /**
   * Opening a SQLite file sets {@code journal_mode} (WAL by default). When several connections
   * (threads, or processes) open a new file at once, one may switch the file to WAL while another
   * is still switching from the rollback journal, and the second fails with an I/O error on a
   * journal file the first just removed ({@code SQLITE_IOERR_DELETE_NOENT}, {@code
   * SQLITE_IOERR_FSTAT}) or with {@code SQLITE_BUSY} (the switch takes a lock SQLite does not wait
   * for). Opening writes nothing, and the next open finds WAL already set, so an open failing so is
   * retried, for up to about a second; a lasting I/O error still fails after that.
   */
  private static ConnectionSource retryingJournalSwitch(ConnectionSource open) {
    return () -> {
      for (int attempt = 1; ; attempt++) {
        try {
          return open.open();
        } catch (SQLException e) {
          String message = String.valueOf(e.getMessage());
          if (attempt >= JOURNAL_SWITCH_ATTEMPTS
              || !(message.contains("SQLITE_IOERR") || message.contains("SQLITE_BUSY"))) {
            throw e;
          }
          try {
            Thread.sleep(attempt);
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw e;
          }
        }
      }
    };
  }

  /** Credentials often ride in the parameters: keep them out of messages. */
  private static String withoutParameters(String jdbcUrl) {
    int cut = jdbcUrl.length();
    for (char separator : new char[] {'?', ';'}) {
      int index = jdbcUrl.indexOf(separator);
      if (index >= 0) {
        cut = Math.min(cut, index);
      }
    }
    return jdbcUrl.substring(0, cut);
  }

  public String table() {
    return table;
  }

  public Duration retention() {
    return retention;
  }

  /**
   * Creates the table if absent; every other method does so on first use.
   *
   * @throws JournalUnavailableException if the table cannot be created
   */
  public void createTableIfAbsent() {
    if (tableReady) {
      return;
    }
    try (Connection connection = connections.open()) {
      boolean autoCommit = connection.getAutoCommit();
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            "CREATE TABLE IF NOT EXISTS "
                + table
                + " (operation_id VARCHAR(512) NOT NULL PRIMARY KEY,"
                + " idempotency_key VARCHAR(255) NOT NULL,"
                + " fingerprint CHAR(64) NOT NULL,"
                + " created_at_ms BIGINT NOT NULL)");
        if (!autoCommit) {
          connection.commit();
        }
      } catch (SQLException e) {
        // Concurrent CREATE TABLE IF NOT EXISTS can fail on PostgreSQL; fine if the table is there.
        if (!autoCommit) {
          connection.rollback();
        }
        try (Statement probe = connection.createStatement()) {
          probe.executeQuery("SELECT operation_id FROM " + table + " WHERE 1 = 0").close();
        } catch (SQLException absent) {
          e.addSuppressed(absent);
          throw e;
        }
      }
      tableReady = true;
    } catch (SQLException e) {
      throw new JournalUnavailableException(
          "cannot create the key journal table " + table + " (" + source + "): " + e, e);
    }
  }

  @Override
  public JournalEntry reserve(
      String operationId, IdempotencyKey candidateKey, Fingerprint fingerprint) {
    Checks.operationId(operationId);
    Checks.notNull(candidateKey, "candidateKey");
    Checks.notNull(fingerprint, "fingerprint");
    return inTransaction(
        "record operation '" + operationId + "' in",
        connection -> {
          for (int round = 0; round < MAX_ROUNDS; round++) {
            Instant now = now();
            JournalEntry candidate =
                new JournalEntry(operationId, candidateKey, fingerprint, now, now.plus(retention));
            try (PreparedStatement insert = connection.prepareStatement(insertSql)) {
              bindEntry(insert, candidate);
              if (insert.executeUpdate() == 1) {
                return candidate;
              }
            }
            Optional<JournalEntry> existing = select(connection, operationId);
            if (existing.isEmpty()) {
              continue; // purged or removed since the insert: insert again
            }
            if (existing.get().isLiveAt(now)) {
              return existing.get().requireSameRequest(fingerprint);
            }
            try (PreparedStatement replace = connection.prepareStatement(replaceSql)) {
              replace.setString(1, candidate.key().value());
              replace.setString(2, candidate.fingerprint().toHex());
              replace.setLong(3, candidate.createdAt().toEpochMilli());
              replace.setString(4, operationId);
              replace.setString(5, existing.get().key().value());
              replace.setLong(6, existing.get().createdAt().toEpochMilli());
              if (replace.executeUpdate() == 1) {
                return candidate;
              }
            }
            // Another writer replaced the expired entry first: read what it wrote.
          }
          throw new JournalUnavailableException(
              "operation '"
                  + operationId
                  + "' kept changing under "
                  + MAX_ROUNDS
                  + " attempts to record it in "
                  + table);
        });
  }

  @Override
  public Optional<JournalEntry> find(String operationId) {
    Checks.operationId(operationId);
    return inTransaction(
        "read operation '" + operationId + "' from",
        connection -> select(connection, operationId).filter(entry -> entry.isLiveAt(now())));
  }

  @Override
  public boolean remove(String operationId) {
    Checks.operationId(operationId);
    return inTransaction(
        "remove operation '" + operationId + "' from",
        connection -> {
          try (PreparedStatement delete = connection.prepareStatement(deleteSql)) {
            delete.setString(1, operationId);
            return delete.executeUpdate() > 0;
          }
        });
  }

  @Override
  public int purgeExpired() {
    return inTransaction(
        "purge expired entries from",
        connection -> {
          try (PreparedStatement purge = connection.prepareStatement(purgeSql)) {
            purge.setLong(1, now().minus(retention).toEpochMilli());
            return purge.executeUpdate();
          }
        });
  }

  @Override
  public String toString() {
    return "JdbcKeyJournal[" + table + " (" + source + "), retention=" + retention + "]";
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private Optional<JournalEntry> select(Connection connection, String operationId)
      throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(selectSql)) {
      select.setString(1, operationId);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        String key = row.getString(1);
        String fingerprint = row.getString(2);
        Instant createdAt = Instant.ofEpochMilli(row.getLong(3));
        try {
          return Optional.of(
              new JournalEntry(
                  operationId,
                  IdempotencyKey.of(key),
                  Fingerprint.fromHex(fingerprint.trim()),
                  createdAt,
                  createdAt.plus(retention)));
        } catch (IllegalArgumentException e) {
          throw new JournalUnavailableException(
              "the row of operation '"
                  + operationId
                  + "' in "
                  + table
                  + " is unreadable: "
                  + e.getMessage(),
              e);
        }
      }
    }
  }

  private static void bindEntry(PreparedStatement statement, JournalEntry entry)
      throws SQLException {
    statement.setString(1, entry.operationId());
    statement.setString(2, entry.key().value());
    statement.setString(3, entry.fingerprint().toHex());
    statement.setLong(4, entry.createdAt().toEpochMilli());
  }

  /** Runs {@code work} on one connection and commits it, whatever the connection's commit mode. */
  private <R> R inTransaction(String action, SqlWork<R> work) {
    createTableIfAbsent();
    try (Connection connection = connections.open()) {
      boolean autoCommit = connection.getAutoCommit();
      try {
        R result = work.run(connection);
        if (!autoCommit) {
          connection.commit();
        }
        return result;
      } catch (SQLException | RuntimeException e) {
        if (!autoCommit) {
          try {
            connection.rollback();
          } catch (SQLException rollback) {
            e.addSuppressed(rollback);
          }
        }
        throw e;
      }
    } catch (SQLException e) {
      throw new JournalUnavailableException(
          "cannot " + action + " the key journal table " + table + " (" + source + "): " + e, e);
    }
  }

  /**
   * Configures a {@link JdbcKeyJournal}; each setter rejects bad values at once. Not thread-safe.
   */
  public static final class Builder {
    private final ConnectionSource connections;
    private final String source;
    private String table = DEFAULT_TABLE;
    private Duration retention = Duration.ofHours(24);
    private InstantSource clock = InstantSource.system();

    private Builder(ConnectionSource connections, String source) {
      this.connections = connections;
      this.source = source;
    }

    /**
     * The table, optionally schema-qualified: SQL identifiers of letters, digits and underscores,
     * at most 63 characters each. Default {@value #DEFAULT_TABLE}.
     *
     * @throws IllegalArgumentException if {@code table} is not such a name
     */
    public Builder table(String table) {
      Checks.notNull(table, "table");
      if (!TABLE_NAME.matcher(table).matches()) {
        throw new IllegalArgumentException(
            "table must be an SQL identifier (letters, digits, _; optionally schema.table), was '"
                + table
                + "'");
      }
      this.table = table;
      return this;
    }

    /** How long an entry is honoured: positive, at most a year. Default 24 hours. */
    public Builder retention(Duration retention) {
      this.retention = Checks.positiveAtMost(retention, MAX_RETENTION, "retention");
      return this;
    }

    /** The clock that dates entries and decides expiry. Default: the system clock. */
    public Builder clock(InstantSource clock) {
      this.clock = Checks.notNull(clock, "clock");
      return this;
    }

    /** Connects to nothing yet: the table is created on first use. */
    public JdbcKeyJournal build() {
      return new JdbcKeyJournal(this);
    }
  }
}
