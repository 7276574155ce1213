package dev.idempo.testsupport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The effects table the messaging tests' handlers write, one row {@code (message_id, source)} per
 * run of a handler: the evidence that every message took effect once. Thread-safe (stateless).
 */
public final class MessageEffects {
  private MessageEffects() {}

  /** Creates the effects table {@code table}. */
  public static void create(DataSource dataSource, String table) {
    TestDatabases.execute(
        dataSource,
        "CREATE TABLE " + table + " (message_id VARCHAR(100) NOT NULL, source VARCHAR(200))");
  }

  /** Records one run for {@code messageId}, in the handler's own transaction. */
  public static void insert(Connection connection, String table, String messageId, String source)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO " + table + " (message_id, source) VALUES (?, ?)")) {
      insert.setString(1, messageId);
      insert.setString(2, source);
      insert.executeUpdate();
    }
  }

  /** How many messages took effect at least once. */
  public static long distinct(DataSource dataSource, String table) {
    return TestDatabases.count(dataSource, "SELECT COUNT(DISTINCT message_id) FROM " + table);
  }

  /** The messages that took effect more than once, as {@code id xN}: must stay empty. */
  public static List<String> duplicated(DataSource dataSource, String table) {
    List<String> duplicated = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT message_id, COUNT(*) FROM "
                    + table
                    + " GROUP BY message_id HAVING COUNT(*) > 1");
        ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        duplicated.add(rows.getString(1) + " x" + rows.getLong(2));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return duplicated;
  }
}
