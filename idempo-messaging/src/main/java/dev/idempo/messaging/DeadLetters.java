package dev.idempo.messaging;

import dev.idempo.jdbc.Dialect;
import dev.idempo.store.StoreUnavailableException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The dead-letter table {@code <prefix>dead_letters}: messages that failed too often, whose outcome
 * is unknown, or that had no id, parked with the reason, so the consumer moves on. Also counts the
 * failures of messages not (yet) parked. List parked messages with {@link #list}, replay one with
 * {@link TransactionalConsumer#replay} or {@link ClaimingConsumer#replay}, drop one with {@link
 * #delete}.
 *
 * <p>A row is {@code FAILING} (failures counted, not parked), {@code PARKED}, or {@code REPLAYED}.
 * Parked rows stay until replayed or deleted; {@link #purge} removes the others in batches.
 *
 * <p>Thread-safe. Does not own the {@link DataSource}.
 */
public final class DeadLetters {
  private static final int MAX_REASON_CHARS = 8000;

  private final DataSource dataSource;
  private final MessagingTables tables;
  private final InstantSource clock;

  DeadLetters(DataSource dataSource, MessagingTables tables, InstantSource clock) {
    this.dataSource = dataSource;
    this.tables = tables;
    this.clock = clock;
  }

  /**
   * The dead letters on {@code dataSource} under {@code tablePrefix} ({@code "idempo_"} is the
   * consumers' default); creates the tables if missing.
   *
   * @throws IllegalArgumentException if the prefix is malformed or the database unsupported
   * @throws StoreUnavailableException if the database cannot be reached
   */
  public static DeadLetters on(DataSource dataSource, String tablePrefix) {
    Objects.requireNonNull(dataSource, "dataSource must not be null");
    MessagingTables.checkPrefix(tablePrefix);
    try {
      MessagingTables tables = new MessagingTables(MessagingTables.detect(dataSource), tablePrefix);
      tables.create(dataSource);
      return new DeadLetters(dataSource, tables, InstantSource.system());
    } catch (SQLException e) {
      throw unavailable("create the messaging tables", e);
    }
  }

  /**
   * Up to {@code limit} parked messages of {@code consumer}, oldest first.
   *
   * @throws IllegalArgumentException if {@code limit} is not 1 to 10,000
   */
  public List<DeadLetter> list(String consumer, int limit) {
    Objects.requireNonNull(consumer, "consumer must not be null");
    if (limit < 1 || limit > 10_000) {
      throw new IllegalArgumentException("limit must be 1 to 10000, was " + limit);
    }
    String sql = select() + " WHERE consumer = ? AND state = 'PARKED' ORDER BY id LIMIT " + limit;
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(sql)) {
      select.setString(1, consumer);
      List<DeadLetter> letters = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          letters.add(toDeadLetter(rows));
        }
      }
      return letters;
    } catch (SQLException e) {
      throw unavailable("list dead letters", e);
    }
  }

  /** How many messages {@code consumer} has parked. */
  public long countParked(String consumer) {
    Objects.requireNonNull(consumer, "consumer must not be null");
    try (Connection connection = dataSource.getConnection();
        PreparedStatement count =
            connection.prepareStatement(
                "SELECT COUNT(*) FROM "
                    + tables.deadLetters()
                    + " WHERE consumer = ? AND state = 'PARKED'")) {
      count.setString(1, consumer);
      try (ResultSet row = count.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    } catch (SQLException e) {
      throw unavailable("count dead letters", e);
    }
  }

  /**
   * Deletes a parked message for good (it is not replayed); true if it was there and parked. Its
   * dedup record stays, so a redelivery is still acknowledged without running.
   */
  public boolean delete(long id) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement delete =
            connection.prepareStatement(
                "DELETE FROM " + tables.deadLetters() + " WHERE id = ? AND state = 'PARKED'")) {
      delete.setLong(1, id);
      return delete.executeUpdate() == 1;
    } catch (SQLException e) {
      throw unavailable("delete a dead letter", e);
    }
  }

  /**
   * Deletes up to {@code limit} rows that are not parked (failure counts of messages that later
   * succeeded, replayed letters) and were last touched more than {@code olderThan} ago. Call it on
   * a schedule; returns how many it deleted.
   */
  public int purge(Duration olderThan, int limit) {
    Objects.requireNonNull(olderThan, "olderThan must not be null");
    if (olderThan.isNegative() || limit < 1 || limit > 100_000) {
      throw new IllegalArgumentException(
          "olderThan must not be negative and limit must be 1 to 100000, were "
              + olderThan
              + ", "
              + limit);
    }
    String table = tables.deadLetters();
    String old = " state <> 'PARKED' AND last_failed_at <= ?";
    String sql =
        "DELETE FROM "
            + table
            + " WHERE id IN (SELECT id FROM "
            + table
            + " WHERE"
            + old
            + " LIMIT "
            + limit
            + tables.skipLocked()
            + ")";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement delete = connection.prepareStatement(sql)) {
      delete.setLong(1, clock.millis() - olderThan.toMillis());
      return delete.executeUpdate();
    } catch (SQLException e) {
      throw unavailable("purge dead letters", e);
    }
  }

  // ------------------------------------------------------------------ for the claim form

  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Runs {@code work} in a transaction of its own. */
  <T> T inTransaction(String operation, SqlWork<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        try {
          connection.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      } finally {
        connection.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw unavailable(operation, e);
    }
  }

  // ------------------------------------------------------------- inside consumers' transactions

  /** Counts one failure of {@code message} in the caller's transaction; returns the count. */
  int recordFailure(
      Connection connection, String consumer, String messageId, Message message, Throwable failure)
      throws SQLException {
    return upsert(connection, consumer, messageId, message, describe(failure), "FAILING");
  }

  /** Parks a message whose failures were counted; in the caller's transaction. */
  void parkCounted(Connection connection, String consumer, String messageId) throws SQLException {
    try (PreparedStatement park =
        connection.prepareStatement(
            "UPDATE "
                + tables.deadLetters()
                + " SET state = 'PARKED', parked_at = ? WHERE consumer = ? AND message_id = ?")) {
      park.setLong(1, clock.millis());
      park.setString(2, consumer);
      park.setString(3, messageId);
      park.executeUpdate();
    }
  }

  /** Parks {@code message} at once with {@code reason}; {@code messageId} may be null. */
  void park(
      Connection connection, String consumer, String messageId, Message message, String reason)
      throws SQLException {
    upsert(connection, consumer, messageId, message, reason, "PARKED");
  }

  private int upsert(
      Connection connection,
      String consumer,
      String messageId,
      Message message,
      String reason,
      String state)
      throws SQLException {
    long now = clock.millis();
    String table = tables.deadLetters();
    String parkedAt = state.equals("PARKED") ? "excluded.last_failed_at" : "t.parked_at";
    try (PreparedStatement upsert =
        connection.prepareStatement(
            "INSERT INTO "
                + table
                + " AS t (consumer, message_id, state, failures, reason,"
                + " payload, headers, message_key, broker_message_id, source, first_failed_at,"
                + " last_failed_at, parked_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (consumer, message_id) DO UPDATE SET failures = t.failures + 1,"
                + " reason = excluded.reason, last_failed_at = excluded.last_failed_at,"
                + " state = CASE WHEN t.state = 'PARKED' THEN t.state ELSE excluded.state END,"
                + " parked_at = "
                + parkedAt
                + " RETURNING failures")) {
      int i = 0;
      upsert.setString(++i, consumer);
      upsert.setString(++i, messageId);
      upsert.setString(++i, state);
      upsert.setString(++i, truncate(reason));
      upsert.setBytes(++i, message.payload());
      upsert.setString(++i, HeaderText.encode(message.headers()));
      upsert.setString(++i, message.key().orElse(null));
      upsert.setString(++i, message.brokerMessageId().orElse(null));
      upsert.setString(++i, message.source());
      upsert.setLong(++i, now);
      upsert.setLong(++i, now);
      if (state.equals("PARKED")) {
        upsert.setLong(++i, now);
      } else {
        upsert.setNull(++i, java.sql.Types.BIGINT);
      }
      try (ResultSet row = upsert.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  /**
   * Takes parked letter {@code id} of {@code consumer} for a replay in the caller's transaction:
   * marks it REPLAYED (the caller's rollback undoes that) and returns it; empty if it is not parked
   * (unknown, deleted, or replayed already). A concurrent replay waits for this one.
   */
  Optional<DeadLetter> takeForReplay(Connection connection, String consumer, long id)
      throws SQLException {
    try (PreparedStatement take =
        connection.prepareStatement(
            "UPDATE "
                + tables.deadLetters()
                + " SET state = 'REPLAYED', last_failed_at = ?"
                + " WHERE id = ? AND consumer = ? AND state = 'PARKED'")) {
      take.setLong(1, clock.millis());
      take.setLong(2, id);
      take.setString(3, consumer);
      if (take.executeUpdate() != 1) {
        return Optional.empty();
      }
    }
    try (PreparedStatement select = connection.prepareStatement(select() + " WHERE id = ?")) {
      select.setLong(1, id);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? Optional.of(toDeadLetter(row)) : Optional.empty();
      }
    }
  }

  /** Marks a replayed letter parked again after its replay failed; own auto-commit statement. */
  void reparkAfterFailedReplay(long id, Throwable failure) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement repark =
            connection.prepareStatement(
                "UPDATE "
                    + tables.deadLetters()
                    + " SET reason = ?, failures = failures + 1,"
                    + " last_failed_at = ? WHERE id = ? AND state = 'PARKED'")) {
      repark.setString(1, truncate("replay failed: " + describe(failure)));
      repark.setLong(2, clock.millis());
      repark.setLong(3, id);
      repark.executeUpdate();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  private String select() {
    return "SELECT id, consumer, message_id, failures, reason, payload, headers, message_key,"
        + " broker_message_id, source, first_failed_at, parked_at, last_failed_at FROM "
        + tables.deadLetters();
  }

  private static DeadLetter toDeadLetter(ResultSet row) throws SQLException {
    Message message =
        Message.builder(row.getBytes("payload"))
            .headers(HeaderText.decode(row.getString("headers")))
            .key(row.getString("message_key"))
            .brokerMessageId(row.getString("broker_message_id"))
            .source(row.getString("source"))
            .build();
    long parkedAt = row.getLong("parked_at");
    if (row.wasNull()) {
      parkedAt = row.getLong("last_failed_at");
    }
    return new DeadLetter(
        row.getLong("id"),
        row.getString("consumer"),
        Optional.ofNullable(row.getString("message_id")),
        row.getInt("failures"),
        row.getString("reason"),
        message,
        Instant.ofEpochMilli(row.getLong("first_failed_at")),
        Instant.ofEpochMilli(parkedAt));
  }

  /** The failure's class, message and the top of its stack trace, for the reason column. */
  static String describe(Throwable failure) {
    StringWriter trace = new StringWriter();
    failure.printStackTrace(new PrintWriter(trace));
    return truncate(trace.toString());
  }

  private static String truncate(String reason) {
    return reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS);
  }

  String tableName() {
    return tables.deadLetters();
  }

  Dialect dialect() {
    return tables.dialect;
  }

  static StoreUnavailableException unavailable(String operation, SQLException e) {
    return new StoreUnavailableException(
        "the messaging tables could not "
            + operation
            + ": "
            + e.getMessage()
            + " (SQLState "
            + e.getSQLState()
            + ")",
        e);
  }
}
