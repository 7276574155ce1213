package dev.idempo.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One SQL statement with named parameters ({@code :key}, {@code :fence}), turned into JDBC's
 * positional {@code ?} once. A name may occur several times; all occurrences get one value. The
 * name {@code now} binds the injected clock's epoch milliseconds, read once per statement (only
 * SQLite's SQL uses it). Immutable and thread-safe.
 */
final class SqlTemplate {
  static final String NOW = "now";

  private final String sql;
  private final List<String> names;

  private SqlTemplate(String sql, List<String> names) {
    this.sql = sql;
    this.names = names;
  }

  /** Parses {@code :name} markers (a colon, then lower-case letters and underscores). */
  static SqlTemplate parse(String namedSql) {
    StringBuilder sql = new StringBuilder(namedSql.length());
    List<String> names = new ArrayList<>();
    boolean inLiteral = false;
    for (int i = 0; i < namedSql.length(); i++) {
      char c = namedSql.charAt(i);
      if (c == '\'') {
        inLiteral = !inLiteral;
      }
      if (c == ':'
          && !inLiteral
          && i + 1 < namedSql.length()
          && isNameChar(namedSql.charAt(i + 1))) {
        int end = i + 1;
        while (end < namedSql.length() && isNameChar(namedSql.charAt(end))) {
          end++;
        }
        names.add(namedSql.substring(i + 1, end));
        sql.append('?');
        i = end - 1;
      } else {
        sql.append(c);
      }
    }
    return new SqlTemplate(sql.toString(), List.copyOf(names));
  }

  private static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || c == '_';
  }

  /** The statement as JDBC sees it. */
  String sql() {
    return sql;
  }

  /**
   * Prepares the statement on {@code connection} and binds {@code values} by name ({@code Long},
   * {@code Integer}, {@code String} or {@code byte[]}), and {@code :now} from {@code clock}.
   */
  PreparedStatement prepare(Connection connection, InstantSource clock, Map<String, ?> values)
      throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    try {
      long now = names.contains(NOW) ? clock.millis() : 0;
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        bind(statement, i + 1, name.equals(NOW) ? (Object) now : values.get(name), name);
      }
      return statement;
    } catch (SQLException | RuntimeException e) {
      statement.close();
      throw e;
    }
  }

  private static void bind(PreparedStatement statement, int index, Object value, String name)
      throws SQLException {
    if (value instanceof Long number) {
      statement.setLong(index, number);
    } else if (value instanceof Integer number) {
      statement.setInt(index, number);
    } else if (value instanceof String text) {
      statement.setString(index, text);
    } else if (value instanceof byte[] bytes) {
      statement.setBytes(index, bytes);
    } else {
      throw new IllegalStateException("no value of a bindable type for :" + name + ": " + value);
    }
  }

  @Override
  public String toString() {
    return sql;
  }
}
