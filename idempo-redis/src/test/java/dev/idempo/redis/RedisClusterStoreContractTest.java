package dev.idempo.redis;

import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.tck.IdempotencyStoreContract;
import dev.idempo.store.tck.StoreHarness;
import dev.idempo.testsupport.RedisCluster;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * The Redis store passes the contract on a real six-node Redis Cluster (three masters, three
 * replicas): every script runs on the master of its key's slot, on that node's clock. Time passes
 * for real, as in {@link RedisStoreContractTest}.
 */
class RedisClusterStoreContractTest extends IdempotencyStoreContract {
  private static final AtomicInteger STORES = new AtomicInteger();
  private static RedisClusterClient client;
  private static StatefulRedisClusterConnection<byte[], byte[]> connection;

  static RedisClusterClient clusterClient(RedisCluster cluster) {
    return RedisClusterClient.create(cluster.uris().stream().map(RedisURI::create).toList());
  }

  private static synchronized StatefulRedisClusterConnection<byte[], byte[]> connection() {
    if (connection == null) {
      client = clusterClient(RedisCluster.shared());
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
    StatefulRedisClusterConnection<byte[], byte[]> shared = connection();
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
          Thread.sleep(duration.toMillis()); // the nodes' clocks are the ones the store trusts
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
