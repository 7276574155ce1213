package dev.idempo.jdbc;

import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.tck.IdempotencyStoreContract;
import dev.idempo.store.tck.MutableClock;
import dev.idempo.store.tck.StoreHarness;
import java.time.Duration;

/**
 * The SQLite store in its default configuration, group commit on, passes the contract: a fresh
 * database file per store, on a fake clock.
 */
class SqliteStoreContractTest extends IdempotencyStoreContract {

  @Override
  protected StoreHarness createHarness() {
    MutableClock clock = MutableClock.start();
    SqliteDatabases databases = new SqliteDatabases();
    return new StoreHarness() {
      @Override
      public IdempotencyStore newStore() {
        JdbcIdempotencyStore store =
            JdbcIdempotencyStore.builder(databases.newDatabase()).clock(clock).build();
        if (!store.groupCommits()) {
          throw new AssertionError("group commit should be SQLite's default");
        }
        return store;
      }

      @Override
      public void advance(Duration duration) {
        clock.advance(duration);
      }

      @Override
      public void close() throws java.io.IOException {
        databases.close();
      }
    };
  }
}
