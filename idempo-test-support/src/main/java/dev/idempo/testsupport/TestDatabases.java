package dev.idempo.testsupport;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The two databases the messaging tests run on: a fresh SQLite file, the shared PostgreSQL. Needs
 * sqlite-jdbc and HikariCP on the test class path (optional dependencies of this module).
 */
public enum TestDatabases {
  SQLITE,
  POSTGRESQL;

  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static HikariDataSource pool;

  /** A data source: a new SQLite file in WAL mode, or a pool on the shared PostgreSQL server. */
  public DataSource dataSource() {
    return this == SQLITE ? newSqlite() : postgres();
  }

  /** A new SQLite database file in WAL mode with a 30 s busy timeout, deleted at JVM exit. */
  public static SQLiteDataSource newSqlite() {
    try {
      Path directory = Files.createTempDirectory("idempo-test-db-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(directory)));
      Path file = directory.resolve("db.sqlite");
      return sqlite(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path directory) {
    try (java.util.stream.Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a leftover temp directory is harmless
    }
  }

  public static SQLiteDataSource sqlite(Path file) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(30_000);
    SQLiteDataSource dataSource = new SQLiteDataSource(config);
    dataSource.setUrl("jdbc:sqlite:" + file);
    return dataSource;
  }

  /** A pool of up to 16 connections to the shared PostgreSQL server, open until the JVM exits. */
  public static synchronized DataSource postgres() {
    if (pool == null) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(PostgresServer.shared().jdbcUrl());
      config.setUsername(PostgresServer.USER);
      config.setMaximumPoolSize(16);
      config.setMinimumIdle(0);
      config.setPoolName("idempo-test-databases");
      pool = new HikariDataSource(config);
    }
    return pool;
  }

  /** A table prefix no other test (or earlier run) uses. */
  public static String freshPrefix() {
    return "m"
        + PREFIXES.incrementAndGet()
        + "_"
        + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36)
        + "_";
  }

  public static void execute(DataSource dataSource, String sql) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  public static long count(DataSource dataSource, String sql) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
