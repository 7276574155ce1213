package dev.idempo.webhooks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idempo.testsupport.PostgresServer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** Real databases for tests: SQLite files in WAL mode, and the shared PostgreSQL server. */
final class Databases {
  private static final AtomicInteger POSTGRES_DATABASES = new AtomicInteger();

  private Databases() {}

  static SQLiteDataSource sqlite(Path file) throws Exception {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(30_000);
    SQLiteDataSource dataSource = new SQLiteDataSource(config);
    dataSource.setUrl("jdbc:sqlite:" + file);
    dataSource.getConnection().close(); // create the file and switch to WAL once
    return dataSource;
  }

  /** A pool on a fresh database of the shared PostgreSQL server; the caller closes it. */
  static HikariDataSource postgres(int poolSize) {
    String name =
        "webhooks_" + ProcessHandle.current().pid() + "_" + POSTGRES_DATABASES.incrementAndGet();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(PostgresServer.shared().createDatabase(name));
    config.setUsername(PostgresServer.USER);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(30_000);
    config.setPoolName("idempo-webhooks-" + name);
    return new HikariDataSource(config);
  }
}
