package dev.idempo.jdbc;

import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.tck.IdempotencyStoreContract;
import dev.idempo.store.tck.StoreHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The PostgreSQL store passes the contract on a real server. Its leases follow the server's clock,
 * so here, and only here, the harness lets real time pass: one unit is 250 ms (a lease is 4 units)
 * and {@code advance} sleeps.
 */
class PostgresStoreContractTest extends IdempotencyStoreContract {
  private static final Duration UNIT = Duration.ofMillis(250);

  /** Whether the stores under test share transactions; PostgreSQL's default is off. */
  protected boolean groupCommit() {
    return false;
  }

  @Override
  protected StoreHarness createHarness() {
    DataSource dataSource = PostgresDatabase.pool();
    List<String> prefixes = new ArrayList<>();
    return new StoreHarness() {
      @Override
      public IdempotencyStore newStore() {
        String prefix = PostgresDatabase.freshPrefix();
        prefixes.add(prefix);
        return JdbcIdempotencyStore.builder(dataSource)
            .tablePrefix(prefix)
            .groupCommit(groupCommit())
            .build();
      }

      @Override
      public void advance(Duration duration) {
        try {
          Thread.sleep(duration.toMillis()); // the server's clock is the one the store trusts
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while letting time pass", e);
        }
      }

      @Override
      public Duration timeUnit() {
        return UNIT;
      }

      @Override
      public void close() throws java.sql.SQLException {
        for (String prefix : prefixes) {
          PostgresDatabase.drop(dataSource, prefix);
        }
      }
    };
  }
}
