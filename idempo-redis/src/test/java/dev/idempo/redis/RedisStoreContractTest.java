package dev.idempo.redis;

import dev.idempo.store.IdempotencyStore;
import dev.idempo.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import org.junit.jupiter.api.AfterAll;

/** The Redis store passes the contract on a real redis-server. */
class RedisStoreContractTest extends RedisStoreContract {
  private static final SharedConnection<RedisClient, StatefulRedisConnection<byte[], byte[]>>
      SHARED =
          new SharedConnection<>(
              () -> RedisClient.create(RedisServer.shared().uri()),
              client -> client.connect(ByteArrayCodec.INSTANCE));

  @AfterAll
  static void closeClient() {
    SHARED.close();
  }

  @Override
  IdempotencyStore newStore(String keyPrefix) {
    return RedisIdempotencyStore.builder(SHARED.get()).keyPrefix(keyPrefix).build();
  }
}
