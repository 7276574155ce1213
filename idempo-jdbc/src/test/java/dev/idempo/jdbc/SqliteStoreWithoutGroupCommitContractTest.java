package dev.idempo.jdbc;

import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.tck.IdempotencyStoreContract;
import dev.idempo.store.tck.MutableClock;
import dev.idempo.store.tck.StoreHarness;
import java.time.Duration;

/** The SQLite store with group commit off (every write commits by itself) passes the contract. */
class SqliteStoreWithoutGroupCommitContractTest extends IdempotencyStoreContract {

  @Override
  protected StoreHarness createHarness() {
    MutableClock clock = MutableClock.start();
    SqliteDatabases databases = new SqliteDatabases();
    return new StoreHarness() {
      @Override
      public IdempotencyStore newStore() {
        JdbcIdempotencyStore store =
            JdbcIdempotencyStore.builder(databases.newDatabase())
                .clock(clock)
                .groupCommit(false)
                .build();
        if (store.groupCommits()) {
          throw new AssertionError("group commit should be off");
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
