package dev.idempo.jdbc;

import dev.idempo.store.tck.MutableClock;
import java.io.IOException;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Transactional mode on SQLite: a fresh database file per test, on a fake clock. */
class SqliteTransactionalModeTest extends TransactionalModeContract {
  private static SqliteDatabases databases;
  private final MutableClock clock = MutableClock.start();

  @Override
  protected DataSource newDataSource() {
    return databases.newDatabase();
  }

  @Override
  protected JdbcIdempotencyStore.Builder storeBuilder(DataSource dataSource) {
    return JdbcIdempotencyStore.builder(dataSource).clock(clock);
  }

  @Override
  protected void advance(Duration duration) {
    clock.advance(duration);
  }

  @BeforeAll
  static void createDatabases() {
    databases = new SqliteDatabases();
  }

  @AfterAll
  static void deleteDatabases() throws IOException {
    databases.close();
  }
}
