package dev.idempo.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idempo.testsupport.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** The shared PostgreSQL server of this JVM, a pool on it, and fresh table prefixes. */
final class PostgresDatabase {
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static HikariDataSource pool;

  private PostgresDatabase() {}

  /** A pool of up to 16 connections to the shared server, open until the JVM exits. */
  static synchronized DataSource pool() {
    if (pool == null) {
      pool = newPool(PostgresServer.shared().jdbcUrl(), 16);
    }
    return pool;
  }

  static HikariDataSource newPool(String jdbcUrl, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(PostgresServer.USER);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(10_000);
    config.setPoolName("idempo-jdbc-test-" + size);
    return new HikariDataSource(config);
  }

  /** A data source that opens a new connection on every call (no pool). */
  static PGSimpleDataSource unpooled(String jdbcUrl) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(jdbcUrl);
    dataSource.setUser(PostgresServer.USER);
    dataSource.setConnectTimeout(5);
    dataSource.setSocketTimeout(30);
    return dataSource;
  }

  /** A table prefix no other test in this JVM (or an earlier run) uses. */
  static String freshPrefix() {
    return "t"
        + PREFIXES.incrementAndGet()
        + "_"
        + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36)
        + "_";
  }

  /** Drops everything migrations created for {@code prefix}. */
  static void drop(DataSource dataSource, String prefix) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + prefix + "records, " + prefix + "schema_version");
      statement.execute("DROP SEQUENCE IF EXISTS " + prefix + "fence_seq");
    }
  }
}
