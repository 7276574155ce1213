package dev.idempo.kafka;

import dev.idempo.jdbc.Dialect;
import dev.idempo.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;

/**
 * The table {@code <prefix>kafka_offsets}: per consumer group and partition, the next offset to
 * read, written in the transaction that settles the record before it. Only moves forward, so a
 * consumer that lost its partition and finishes late can never move it back. Thread-safe.
 */
final class KafkaOffsets {
  private final DataSource dataSource;
  private final String table;
  private final String advanceSql;

  KafkaOffsets(DataSource dataSource, Dialect dialect, String prefix) {
    this.dataSource = dataSource;
    this.table = prefix + "kafka_offsets";
    this.advanceSql =
        "INSERT INTO "
            + table
            + " AS t (group_id, topic, partition_id, next_offset)"
            + " VALUES (?, ?, ?, ?) ON CONFLICT (group_id, topic, partition_id) DO UPDATE"
            + " SET next_offset = excluded.next_offset WHERE t.next_offset < excluded.next_offset";
  }

  String table() {
    return table;
  }

  void create() {
    String sql =
        "CREATE TABLE IF NOT EXISTS "
            + table
            + " (group_id VARCHAR(255) NOT NULL,"
            + " topic VARCHAR(255) NOT NULL, partition_id INTEGER NOT NULL,"
            + " next_offset BIGINT NOT NULL, PRIMARY KEY (group_id, topic, partition_id))";
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      try {
        statement.execute(sql);
      } catch (SQLException e) {
        // Another process created it at the same moment (PostgreSQL's catalog race): once more.
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw unavailable("create " + table, e);
    }
  }

  /** The stored next offsets of {@code partitions} that have one. */
  Map<TopicPartition, Long> read(String group, Collection<TopicPartition> partitions) {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    if (partitions.isEmpty()) {
      return offsets;
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT next_offset FROM "
                    + table
                    + " WHERE group_id = ? AND topic = ? AND partition_id = ?")) {
      for (TopicPartition partition : partitions) {
        select.setString(1, group);
        select.setString(2, partition.topic());
        select.setInt(3, partition.partition());
        try (ResultSet row = select.executeQuery()) {
          if (row.next()) {
            offsets.put(partition, row.getLong(1));
          }
        }
      }
      return offsets;
    } catch (SQLException e) {
      throw unavailable("read offsets from " + table, e);
    }
  }

  /** Stores {@code nextOffset} for the partition in the caller's transaction, if it is ahead. */
  void advance(Connection connection, String group, TopicPartition partition, long nextOffset)
      throws SQLException {
    try (PreparedStatement upsert = connection.prepareStatement(advanceSql)) {
      upsert.setString(1, group);
      upsert.setString(2, partition.topic());
      upsert.setInt(3, partition.partition());
      upsert.setLong(4, nextOffset);
      upsert.executeUpdate();
    }
  }

  private static StoreUnavailableException unavailable(String operation, SQLException e) {
    return new StoreUnavailableException(
        "could not " + operation + ": " + e.getMessage() + " (SQLState " + e.getSQLState() + ")",
        e);
  }
}
