package dev.idempo.jdbc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Creates and upgrades the tables behind one table prefix: versioned, idempotent steps ({@code
 * CREATE … IF NOT EXISTS}), each recorded as one row of {@code <prefix>schema_version}.
 *
 * <p>Safe to run again, and from several threads or processes at once: everything runs in one
 * transaction that first takes a lock (a transaction-scoped advisory lock keyed by the prefix on
 * PostgreSQL, whose DDL is transactional; {@code BEGIN IMMEDIATE} on SQLite), then reads the
 * applied version and applies only the missing steps. A schema newer than this version of
 * idempo-jdbc knows is refused with {@link UnknownFormatVersionException}.
 */
final class SchemaMigrations {
  /** The schema version this code creates and expects. */
  static final int CURRENT_VERSION = 3;

  /** PostgreSQL's fillfactor for the records table since version 3, in percent. */
  static final int FILLFACTOR = 90;

  /** What each version adds, as recorded in the version table; index 0 is version 1. */
  private static final List<String> DESCRIPTIONS =
      List.of(
          "records table, expiry index, fence source",
          "claim_token column, so a claim whose answer was lost can be abandoned",
          "completed records expire at completed_at + retention_ms: completing changes no"
              + " indexed column; PostgreSQL leaves room on each page for in-place updates");

  private SchemaMigrations() {}

  /**
   * Brings the tables of {@code tables} up to {@link #CURRENT_VERSION} on {@code connection}, which
   * must not be in a transaction; returns the version found before.
   */
  static int migrate(Connection connection, Dialect dialect, TableNames tables, InstantSource clock)
      throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    try {
      if (dialect == Dialect.POSTGRESQL) {
        connection.setAutoCommit(false);
        try (PreparedStatement lock =
            connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
          lock.setLong(1, lockKey(tables));
          lock.execute();
        }
      } else {
        // BEGIN IMMEDIATE takes SQLite's write lock at once: no read-then-upgrade race.
        connection.setAutoCommit(true);
        execute(connection, "BEGIN IMMEDIATE");
      }
      try {
        int found = applyMissingSteps(connection, dialect, tables, clock);
        commit(connection, dialect);
        return found;
      } catch (SQLException | RuntimeException e) {
        rollback(connection, dialect, e);
        throw e;
      }
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private static int applyMissingSteps(
      Connection connection, Dialect dialect, TableNames tables, InstantSource clock)
      throws SQLException {
    execute(
        connection,
        "CREATE TABLE IF NOT EXISTS "
            + tables.schemaVersion()
            + " (version INTEGER PRIMARY KEY,"
            + " description VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)");
    int found;
    try (Statement statement = connection.createStatement();
        ResultSet max =
            statement.executeQuery("SELECT MAX(version) FROM " + tables.schemaVersion())) {
      max.next();
      found = max.getInt(1);
    }
    if (found > CURRENT_VERSION) {
      throw new UnknownFormatVersionException(
          "the tables with prefix \""
              + tables.prefix()
              + "\" have schema version "
              + found
              + "; this version of idempo-jdbc knows schema versions up to "
              + CURRENT_VERSION
              + ": upgrade idempo-jdbc",
          found);
    }
    SqlTemplate record =
        SqlTemplate.parse(
            "INSERT INTO "
                + tables.schemaVersion()
                + " (version, description, applied_at)"
                + " VALUES (:version, :description, "
                + dialect.now()
                + ")");
    for (int version = found + 1; version <= CURRENT_VERSION; version++) {
      apply(connection, dialect, tables, version);
      try (PreparedStatement insert =
          record.prepare(
              connection,
              clock,
              Map.of("version", version, "description", DESCRIPTIONS.get(version - 1)))) {
        insert.executeUpdate();
      }
    }
    return found;
  }

  /**
   * Applies the steps of one schema version; idempotent, should a version row ever be lost (SQLite
   * has no {@code ADD COLUMN IF NOT EXISTS}, so a column already there is skipped).
   */
  static void apply(Connection connection, Dialect dialect, TableNames tables, int version)
      throws SQLException {
    if (version == 2
        && dialect == Dialect.SQLITE
        && hasColumn(connection, tables.records(), "claim_token")) {
      return;
    }
    for (String step : steps(version, dialect, tables)) {
      execute(connection, step);
    }
  }

  private static boolean hasColumn(Connection connection, String table, String column)
      throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet columns = statement.executeQuery("PRAGMA table_info(" + table + ")")) {
      while (columns.next()) {
        if (column.equalsIgnoreCase(columns.getString("name"))) {
          return true;
        }
      }
      return false;
    }
  }

  /** The statements of one schema version. */
  static List<String> steps(int version, Dialect dialect, TableNames tables) {
    String binary = dialect.binaryType();
    String records = tables.records();
    if (version == 3) {
      // Room on each page for the completed version of a row next to the claimed one, so the
      // completion (which changes no indexed column since this version) stays a HOT update.
      return dialect == Dialect.POSTGRESQL
          ? List.of("ALTER TABLE " + records + " SET (fillfactor = " + FILLFACTOR + ")")
          : List.of();
    }
    if (version == 2) {
      return List.of(
          "ALTER TABLE "
              + records
              + " ADD COLUMN "
              + (dialect == Dialect.POSTGRESQL ? "IF NOT EXISTS " : "")
              + "claim_token "
              + binary);
    }
    if (version != 1) {
      throw new IllegalArgumentException("no schema version " + version);
    }
    List<String> steps =
        new ArrayList<>(
            List.of(
                "CREATE TABLE IF NOT EXISTS "
                    + records
                    + " ("
                    + "storage_key "
                    + binary
                    + " NOT NULL PRIMARY KEY, "
                    + "format_version INTEGER NOT NULL, "
                    + "state VARCHAR(16) NOT NULL, "
                    + "fingerprint "
                    + binary
                    + " NOT NULL, "
                    + "fence BIGINT NOT NULL, "
                    + "takeovers INTEGER NOT NULL, "
                    + "claimed_at BIGINT NOT NULL, "
                    + "lease_expires_at BIGINT NOT NULL, "
                    + "expires_at BIGINT NOT NULL, "
                    + "retention_ms BIGINT NOT NULL, "
                    + "completed_at BIGINT, "
                    + "response "
                    + binary
                    + ", "
                    + "recovery_name VARCHAR(255), "
                    + "recovery_state "
                    + binary
                    + ", "
                    + "CONSTRAINT "
                    + records
                    + "_state CHECK (state IN ('IN_PROGRESS', 'COMPLETED')), "
                    + "CONSTRAINT "
                    + records
                    + "_response CHECK (state = 'IN_PROGRESS' OR response IS NOT NULL))",
                "CREATE INDEX IF NOT EXISTS "
                    + records
                    + "_expires_at ON "
                    + records
                    + " (expires_at)"));
    steps.addAll(dialect.createFenceSource(tables));
    return List.copyOf(steps);
  }

  /** The advisory lock of one prefix: 64 bits of SHA-256 over a fixed label and the prefix. */
  static long lockKey(TableNames tables) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  ("idempo-jdbc.migrations:" + tables.canonicalPrefix())
                      .getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(hash).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static void commit(Connection connection, Dialect dialect) throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      connection.commit();
    } else {
      execute(connection, "COMMIT");
    }
  }

  private static void rollback(Connection connection, Dialect dialect, Exception failure) {
    try {
      if (dialect == Dialect.POSTGRESQL) {
        connection.rollback();
      } else {
        execute(connection, "ROLLBACK");
      }
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }
}
