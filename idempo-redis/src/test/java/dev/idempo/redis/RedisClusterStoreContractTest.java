package dev.idempo.redis;

import dev.idempo.store.IdempotencyStore;
import dev.idempo.testsupport.RedisCluster;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import org.junit.jupiter.api.AfterAll;

/**
 * The Redis store passes the contract on a real six-node Redis Cluster (three masters, three
 * replicas): every script runs on the master of its key's slot, on that node's clock.
 */
class RedisClusterStoreContractTest extends RedisStoreContract {
  private static final SharedConnection<
          RedisClusterClient, StatefulRedisClusterConnection<byte[], byte[]>>
      SHARED =
          new SharedConnection<>(
              () -> clusterClient(RedisCluster.shared()),
              client -> client.connect(ByteArrayCodec.INSTANCE));

  static RedisClusterClient clusterClient(RedisCluster cluster) {
    return RedisClusterClient.create(cluster.uris().stream().map(RedisURI::create).toList());
  }

  @AfterAll
  static void closeClient() {
    SHARED.close();
  }

  @Override
  IdempotencyStore newStore(String keyPrefix) {
    return RedisIdempotencyStore.builder(SHARED.get()).keyPrefix(keyPrefix).build();
  }
}
