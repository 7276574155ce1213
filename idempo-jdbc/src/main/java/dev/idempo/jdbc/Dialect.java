package dev.idempo.jdbc;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.List;

/**
 * The databases {@link JdbcIdempotencyStore} speaks to. By default the builder detects the dialect
 * from the connection's metadata; set it to skip that round trip.
 *
 * <ul>
 *   <li>{@link #POSTGRESQL} (13 or newer): leases and expiry follow the server's clock ({@code
 *       clock_timestamp()}, never the transaction-start {@code now()}); fences come from a
 *       sequence.
 *   <li>{@link #SQLITE} (3.35 or newer, for {@code RETURNING}), one process: leases and expiry
 *       follow an injected {@link java.time.InstantSource}; fences come from a counter row that a
 *       trigger advances in the same statement as the claim.
 * </ul>
 */
public enum Dialect {
  /** PostgreSQL 13 or newer. */
  POSTGRESQL,
  /** SQLite 3.35 or newer, a file database in WAL mode, used from one process. */
  SQLITE;

  /** The dialect of the database behind {@code metadata}. */
  static Dialect detect(DatabaseMetaData metadata) throws SQLException {
    String product = metadata.getDatabaseProductName();
    if ("PostgreSQL".equalsIgnoreCase(product)) {
      return POSTGRESQL;
    }
    if ("SQLite".equalsIgnoreCase(product)) {
      return SQLITE;
    }
    throw new IllegalArgumentException(
        "unsupported database \"" + product + "\"; supported: PostgreSQL 13+, SQLite 3.35+");
  }

  /** Rejects a server too old for the SQL this dialect writes. */
  void checkVersion(DatabaseMetaData metadata) throws SQLException {
    int major = metadata.getDatabaseMajorVersion();
    int minor = metadata.getDatabaseMinorVersion();
    boolean supported = this == POSTGRESQL ? major >= 13 : major > 3 || (major == 3 && minor >= 35);
    if (!supported) {
      throw new IllegalStateException(
          this
              + " "
              + metadata.getDatabaseProductVersion()
              + " is too old; idempo-jdbc needs "
              + (this == POSTGRESQL ? "PostgreSQL 13" : "SQLite 3.35 (RETURNING)")
              + " or newer");
    }
  }

  /**
   * Whether writes share transactions unless the builder says otherwise: yes on SQLite, whose one
   * writer otherwise commits (and syncs) one operation at a time; no on PostgreSQL, whose
   * connections commit in parallel and whose WAL flush already serves concurrent commits at once.
   */
  boolean groupCommitsByDefault() {
    return this == SQLITE;
  }

  /** Whether leases follow the database server's clock rather than an injected one. */
  boolean usesServerClock() {
    return this == POSTGRESQL;
  }

  /**
   * The current time in epoch milliseconds, as SQL. PostgreSQL reads the wall clock at each
   * evaluation ({@code clock_timestamp()}), so a statement that waited on a lock, or runs late in a
   * long transaction, still sees the real time; SQLite binds the injected clock as {@code :now}.
   */
  String now() {
    return this == POSTGRESQL
        ? "CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000) AS BIGINT)"
        : ":now";
  }

  /** A fence greater than every fence issued before, as SQL. */
  String nextFence(TableNames tables) {
    return this == POSTGRESQL
        ? "nextval('" + tables.fenceSequence() + "')"
        : "(SELECT value + 1 FROM " + tables.fenceCounter() + " WHERE id = 1)";
  }

  String binaryType() {
    return this == POSTGRESQL ? "BYTEA" : "BLOB";
  }

  String greatest(String first, String second) {
    return (this == POSTGRESQL ? "GREATEST(" : "MAX(") + first + ", " + second + ")";
  }

  String least(String first, String second) {
    return (this == POSTGRESQL ? "LEAST(" : "MIN(") + first + ", " + second + ")";
  }

  /** The physical row id that a batched delete selects by. */
  String rowId() {
    return this == POSTGRESQL ? "ctid" : "rowid";
  }

  /** What a batched delete adds so concurrent purges and claims do not wait on each other. */
  String skipLocked() {
    return this == POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : "";
  }

  /** The statements that create where fences come from, idempotently. */
  List<String> createFenceSource(TableNames tables) {
    if (this == POSTGRESQL) {
      return List.of("CREATE SEQUENCE IF NOT EXISTS " + tables.fenceSequence());
    }
    String counter = tables.fenceCounter();
    String advance =
        " ON "
            + tables.records()
            + " BEGIN UPDATE "
            + counter
            + " SET value = NEW.fence WHERE id = 1 AND value < NEW.fence; END";
    return List.of(
        "CREATE TABLE IF NOT EXISTS "
            + counter
            + " (id INTEGER PRIMARY KEY CHECK (id = 1), value BIGINT NOT NULL)",
        "INSERT OR IGNORE INTO " + counter + " (id, value) VALUES (1, 0)",
        "CREATE TRIGGER IF NOT EXISTS "
            + tables.prefix()
            + "records_fence_insert AFTER INSERT"
            + advance,
        "CREATE TRIGGER IF NOT EXISTS "
            + tables.prefix()
            + "records_fence_update AFTER UPDATE OF"
            + " fence"
            + advance);
  }
}
