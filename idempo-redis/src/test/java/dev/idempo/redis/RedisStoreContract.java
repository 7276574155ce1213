package dev.idempo.redis;

import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.tck.IdempotencyStoreContract;
import dev.idempo.store.tck.StoreHarness;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.api.StatefulConnection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The store contract on real Redis, one server or a Cluster. The store trusts the server's clock,
 * so the harness lets real time pass: one unit is 250 ms (the suite's lease is 4 units). Each store
 * gets its own key prefix, so stores sharing the servers never see each other's records.
 */
abstract class RedisStoreContract extends IdempotencyStoreContract {
  private static final AtomicInteger STORES = new AtomicInteger();

  /** A store on the test class's shared connection whose keys all start with {@code keyPrefix}. */
  abstract IdempotencyStore newStore(String keyPrefix);

  @SuppressWarnings("try") // the contract closes the harness in @AfterEach, not a try block
  @Override
  protected StoreHarness createHarness() {
    return new StoreHarness() {
      @Override
      public IdempotencyStore newStore() {
        return RedisStoreContract.this.newStore("contract-" + STORES.incrementAndGet() + ":");
      }

      @Override
      public void advance(Duration duration) {
        try {
          Thread.sleep(duration.toMillis()); // the servers' clocks are the ones the store trusts
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while letting time pass", e);
        }
      }

      @Override
      public Duration timeUnit() {
        return Duration.ofMillis(250);
      }
    };
  }

  /**
   * A client and its byte-array connection, opened on first use and closed by the test class's
   * {@code @AfterAll}, so the tests of one class share them. Thread-safe.
   */
  static final class SharedConnection<
      K extends AbstractRedisClient, C extends StatefulConnection<byte[], byte[]>> {
    private final Supplier<K> clients;
    private final Function<K, C> connect;
    private K client;
    private C connection;

    SharedConnection(Supplier<K> clients, Function<K, C> connect) {
      this.clients = clients;
      this.connect = connect;
    }

    synchronized C get() {
      if (connection == null) {
        client = clients.get();
        connection = connect.apply(client);
      }
      return connection;
    }

    synchronized void close() {
      if (client != null) {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        client = null;
        connection = null;
      }
    }
  }
}
