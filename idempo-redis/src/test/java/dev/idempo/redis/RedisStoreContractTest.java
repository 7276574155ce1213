package dev.idempo.redis;

import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.tck.IdempotencyStoreContract;
import dev.idempo.store.tck.StoreHarness;
import dev.idempo.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * The Redis store passes the contract on a real redis-server. The store trusts the server's clock,
 * so the harness lets real time pass: one unit is 250 ms (the suite's lease is 4 units). Each store
 * gets its own key prefix, so stores sharing the server never see each other's records.
 */
class RedisStoreContractTest extends IdempotencyStoreContract {
  private static final AtomicInteger STORES = new AtomicInteger();
  private static RedisClient client;
  private static StatefulRedisConnection<byte[], byte[]> connection;

  private static synchronized StatefulRedisConnection<byte[], byte[]> connection() {
    if (connection == null) {
      client = RedisClient.create(RedisServer.shared().uri());
      connection = client.connect(ByteArrayCodec.INSTANCE);
    }
    return connection;
  }

  @AfterAll
  static synchronized void closeClient() {
    if (client != null) {
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      client = null;
      connection = null;
    }
  }

  @SuppressWarnings("try") // the contract closes the harness in @AfterEach, not a try block
  @Override
  protected StoreHarness createHarness() {
    StatefulRedisConnection<byte[], byte[]> shared = connection();
    return new StoreHarness() {
      @Override
      public IdempotencyStore newStore() {
        return RedisIdempotencyStore.builder(shared)
            .keyPrefix("contract-" + STORES.incrementAndGet() + ":")
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
        return Duration.ofMillis(250);
      }
    };
  }
}
