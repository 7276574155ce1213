package dev.idempo.messaging;

import dev.idempo.jdbc.Dialect;
import dev.idempo.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The transactional outbox: {@link #schedule} writes an event (destination, key, payload, headers)
 * in the caller's own transaction, next to its business writes, so the event exists if and only if
 * they commit. An {@link OutboxRelay} publishes it afterwards, at least once; the event id makes
 * downstream dedup exact.
 *
 * <pre>{@code
 * Outbox outbox = Outbox.builder(dataSource).build();
 * try (Connection connection = dataSource.getConnection()) {
 *   connection.setAutoCommit(false);
 *   insertOrder(connection, order);
 *   outbox.schedule(connection, "orders", order.customerId(), orderJson, Map.of());
 *   connection.commit();
 * }
 * }</pre>
 *
 * <p>The table {@code <prefix>outbox} holds pending events (and dead ones, with their reason);
 * delivered events are deleted by the relay. PostgreSQL or SQLite; times follow the injected clock.
 * Thread-safe. Does not own the {@link DataSource}.
 */
public final class Outbox {
  private static final int MAX_FIELD = 1024;

  private final DataSource dataSource;
  private final MessagingTables tables;
  private final InstantSource clock;
  private final String table;

  private Outbox(DataSource dataSource, MessagingTables tables, InstantSource clock) {
    this.dataSource = dataSource;
    this.tables = tables;
    this.clock = clock;
    this.table = tables.prefix + "outbox";
  }

  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource must not be null"));
  }

  /**
   * Writes an event in {@code connection}'s current transaction (auto-commit off: it commits or
   * rolls back with the caller's writes; auto-commit on: at once) and returns its id.
   *
   * @param destination a Kafka topic, an AMQP routing key, an HTTP URI: what the publisher reads
   * @param key the ordering key (events of one key are published in order); null for none
   * @throws IllegalArgumentException if destination is blank or destination or key are longer than
   *     1024 characters
   * @throws StoreUnavailableException if the insert failed
   */
  public String schedule(
      Connection connection,
      String destination,
      String key,
      byte[] payload,
      Map<String, String> headers) {
    Objects.requireNonNull(connection, "connection must not be null");
    Objects.requireNonNull(destination, "destination must not be null");
    Objects.requireNonNull(payload, "payload must not be null");
    Objects.requireNonNull(headers, "headers must not be null");
    if (destination.isBlank() || destination.length() > MAX_FIELD) {
      throw new IllegalArgumentException(
          "destination must be 1 to 1024 characters and not blank, was \"" + destination + "\"");
    }
    if (key != null && key.length() > MAX_FIELD) {
      throw new IllegalArgumentException("key must be at most 1024 characters");
    }
    String id = UUID.randomUUID().toString();
    long now = clock.millis();
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO "
                + table
                + " (event_id, destination, event_key, payload, headers, state,"
                + " attempts, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, 'PENDING', 0,"
                + " ?, ?)")) {
      insert.setString(1, id);
      insert.setString(2, destination);
      insert.setString(3, key);
      insert.setBytes(4, payload);
      insert.setString(5, HeaderText.encode(headers));
      insert.setLong(6, now);
      insert.setLong(7, now);
      insert.executeUpdate();
      return id;
    } catch (SQLException e) {
      throw DeadLetters.unavailable("schedule an outbox event", e);
    }
  }

  /** Events waiting to be published (not dead). */
  public long pendingCount() {
    return queryLong("SELECT COUNT(*) FROM " + table + " WHERE state = 'PENDING'");
  }

  /** Age of the oldest event waiting to be published; zero when none waits. */
  public Duration oldestPendingAge() {
    long oldest =
        queryLong(
            "SELECT COALESCE(MIN(created_at), -1) FROM " + table + " WHERE state = 'PENDING'");
    return oldest < 0 ? Duration.ZERO : Duration.ofMillis(Math.max(0, clock.millis() - oldest));
  }

  /** Up to {@code limit} dead events (publishing failed too often), oldest first, with reasons. */
  public List<Map.Entry<OutboxEvent, String>> dead(int limit) {
    if (limit < 1 || limit > 10_000) {
      throw new IllegalArgumentException("limit must be 1 to 10000, was " + limit);
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                columns()
                    + ", last_error FROM "
                    + table
                    + " WHERE state = 'DEAD' ORDER BY seq"
                    + " LIMIT "
                    + limit);
        ResultSet rows = select.executeQuery()) {
      List<Map.Entry<OutboxEvent, String>> dead = new ArrayList<>();
      while (rows.next()) {
        dead.add(Map.entry(toEvent(rows), rows.getString("last_error")));
      }
      return dead;
    } catch (SQLException e) {
      throw DeadLetters.unavailable("list dead outbox events", e);
    }
  }

  /** Puts a dead event back in line for publishing; true if it was dead. */
  public boolean retryDead(String eventId) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement retry =
            connection.prepareStatement(
                "UPDATE "
                    + table
                    + " SET state = 'PENDING', attempts = 0, next_attempt_at = ?"
                    + " WHERE event_id = ? AND state = 'DEAD'")) {
      retry.setLong(1, clock.millis());
      retry.setString(2, eventId);
      return retry.executeUpdate() == 1;
    } catch (SQLException e) {
      throw DeadLetters.unavailable("retry a dead outbox event", e);
    }
  }

  private long queryLong(String sql) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(sql);
        ResultSet row = select.executeQuery()) {
      row.next();
      return row.getLong(1);
    } catch (SQLException e) {
      throw DeadLetters.unavailable("read the outbox", e);
    }
  }

  // ------------------------------------------------------------------------------ for the relay

  DataSource dataSource() {
    return dataSource;
  }

  InstantSource clock() {
    return clock;
  }

  Dialect dialect() {
    return tables.dialect;
  }

  String table() {
    return table;
  }

  static String columns() {
    return "SELECT seq, event_id, destination, event_key, payload, headers, attempts, created_at";
  }

  static OutboxEvent toEvent(ResultSet row) throws SQLException {
    return new OutboxEvent(
        row.getLong("seq"),
        row.getString("event_id"),
        row.getString("destination"),
        row.getString("event_key"),
        row.getBytes("payload"),
        HeaderText.decode(row.getString("headers")),
        row.getInt("attempts"),
        Instant.ofEpochMilli(row.getLong("created_at")));
  }

  private void create() throws SQLException {
    MessagingTables.execute(
        dataSource,
        List.of(
            "CREATE TABLE IF NOT EXISTS "
                + table
                + " (seq "
                + tables.autoIncrementKey()
                + ","
                + " event_id VARCHAR(64) NOT NULL UNIQUE, destination VARCHAR(1024) NOT NULL,"
                + " event_key VARCHAR(1024), payload "
                + tables.binary()
                + " NOT NULL,"
                + " headers TEXT NOT NULL, state VARCHAR(16) NOT NULL, attempts INTEGER NOT NULL,"
                + " created_at BIGINT NOT NULL, next_attempt_at BIGINT NOT NULL,"
                + " claimed_by VARCHAR(64), claimed_until BIGINT, last_error TEXT)",
            "CREATE INDEX IF NOT EXISTS "
                + table
                + "_due ON "
                + table
                + " (state, next_attempt_at, seq)",
            "CREATE INDEX IF NOT EXISTS " + table + "_key ON " + table + " (event_key, seq)",
            // The relay's claim: pending rows in sequence order, and each key's oldest pending
            // row, without walking delivered or dead rows.
            "CREATE INDEX IF NOT EXISTS "
                + table
                + "_pending ON "
                + table
                + " (seq)"
                + " WHERE state = 'PENDING'",
            "CREATE INDEX IF NOT EXISTS "
                + table
                + "_pending_key ON "
                + table
                + " (event_key, seq) WHERE state = 'PENDING'"));
  }

  /** Configures an {@link Outbox}. Not thread-safe. */
  public static final class Builder {
    private final DataSource dataSource;
    private String tablePrefix = MessagingTables.DEFAULT_PREFIX;
    private InstantSource clock = InstantSource.system();

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /** The prefix of the table name, {@code <prefix>outbox}; {@code "idempo_"} by default. */
    public Builder tablePrefix(String tablePrefix) {
      this.tablePrefix = MessagingTables.checkPrefix(tablePrefix);
      return this;
    }

    /** The clock of creation times, backoffs and claims; the system clock by default. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /**
     * Builds the outbox, creating its table if missing.
     *
     * @throws StoreUnavailableException if the database cannot be reached
     */
    public Outbox build() {
      try {
        Outbox outbox =
            new Outbox(
                dataSource,
                new MessagingTables(MessagingTables.detect(dataSource), tablePrefix),
                clock);
        outbox.create();
        return outbox;
      } catch (SQLException e) {
        throw DeadLetters.unavailable("create the outbox table", e);
      }
    }
  }
}
