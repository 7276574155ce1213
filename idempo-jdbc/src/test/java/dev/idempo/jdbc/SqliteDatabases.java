package dev.idempo.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.stream.Stream;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** SQLite file databases in WAL mode for tests, each in a fresh temp directory. */
final class SqliteDatabases implements AutoCloseable {
  private final Path directory;
  private int count;

  SqliteDatabases() {
    try {
      this.directory = Files.createTempDirectory("idempo-sqlite-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A data source on a new, empty database file, already in WAL mode (switching modes from many
   * connections at once races on the journal file); every {@code getConnection} opens a connection.
   */
  synchronized SQLiteDataSource newDatabase() {
    SQLiteDataSource dataSource = dataSource(directory.resolve("db-" + ++count + ".sqlite"));
    try {
      dataSource.getConnection().close();
    } catch (SQLException e) {
      throw new IllegalStateException("could not create " + dataSource.getUrl(), e);
    }
    return dataSource;
  }

  static SQLiteDataSource dataSource(Path file) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(10_000);
    SQLiteDataSource dataSource = new SQLiteDataSource(config);
    dataSource.setUrl("jdbc:sqlite:" + file);
    return dataSource;
  }

  @Override
  public void close() throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path path : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(path);
      }
    }
  }
}
