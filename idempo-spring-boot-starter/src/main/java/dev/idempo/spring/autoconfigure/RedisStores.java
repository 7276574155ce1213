package dev.idempo.spring.autoconfigure;

import dev.idempo.redis.RedisIdempotencyStore;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.util.ClassUtils;

/**
 * Builds the Redis store for {@code idempo.store.type=redis}, on the first client found: Idempo's
 * own (from {@code idempo.store.redis.uri}), the application's {@link RedisClient} bean, or the
 * client behind its {@code LettuceConnectionFactory}. The store opens a connection of its own on
 * that client and closes it with the context; the client stays the application's. Loaded only
 * when idempo-redis is on the class path.
 */
final class RedisStores {
  private static final String CONNECTION_FACTORY =
      "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory";

  private RedisStores() {}

  /**
   * @param storeBean the store's bean name: it is destroyed (its connection closed) before the
   *     client bean it uses
   */
  static RedisIdempotencyStore create(IdempoProperties.Redis redis, ListableBeanFactory beans, String storeBean) {
    RedisIdempotencyStore.Builder builder = RedisIdempotencyStore.builder(client(redis, beans, storeBean));
    IdempotentHandlers.checked("idempo.store.redis.key-prefix", () -> builder.keyPrefix(redis.getKeyPrefix()));
    IdempotentHandlers.checked(
        "idempo.store.redis.command-timeout", () -> builder.commandTimeout(redis.getCommandTimeout()));
    return builder.build();
  }

  private static RedisClient client(IdempoProperties.Redis redis, ListableBeanFactory beans, String storeBean) {
    if (redis.getUri() != null && !redis.getUri().isBlank()) {
      dependsOn(beans, storeBean, OwnedClient.class);
      return beans.getBean(OwnedClient.class).client;
    }
    RedisClient client = beans.getBeanProvider(RedisClient.class).getIfUnique(() -> null);
    if (client != null) {
      dependsOn(beans, storeBean, RedisClient.class);
      return client;
    }
    if (ClassUtils.isPresent(CONNECTION_FACTORY, RedisStores.class.getClassLoader())) {
      AbstractRedisClient nativeClient = ConnectionFactoryClient.find(beans, storeBean);
      if (nativeClient instanceof RedisClient standalone) {
        return standalone;
      }
      if (nativeClient != null) {
        throw new IllegalStateException(
            "idempo.store.type=redis: the LettuceConnectionFactory uses a "
                + nativeClient.getClass().getSimpleName()
                + "; the Redis store needs a standalone RedisClient: set idempo.store.redis.uri");
      }
    }
    throw new IllegalStateException(
        "idempo.store.type=redis needs a Redis client: set idempo.store.redis.uri"
            + " (redis://host:6379), or declare a Lettuce RedisClient bean, or use"
            + " spring-boot-starter-data-redis with Lettuce");
  }

  /** Reads the client behind the application's LettuceConnectionFactory; only with spring-data-redis. */
  private static final class ConnectionFactoryClient {
    static AbstractRedisClient find(ListableBeanFactory beans, String storeBean) {
      var type = org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory.class;
      var factory = beans.getBeanProvider(type).getIfUnique(() -> null);
      if (factory == null) {
        return null;
      }
      dependsOn(beans, storeBean, type);
      if (!factory.isRunning()) {
        factory.start();
      }
      return factory.getRequiredNativeClient();
    }
  }

  /** Registers that {@code storeBean} uses the unique bean of {@code type}, so it is destroyed first. */
  private static void dependsOn(ListableBeanFactory beans, String storeBean, Class<?> type) {
    String[] names = beans.getBeanNamesForType(type, false, false);
    if (names.length == 1 && beans instanceof ConfigurableBeanFactory registry) {
      registry.registerDependentBean(names[0], storeBean);
    }
  }

  /** A client Idempo created from {@code idempo.store.redis.uri}: shut down with the context. */
  static final class OwnedClient implements DisposableBean {
    private final RedisClient client;

    OwnedClient(String uri) {
      this.client = RedisClient.create(uri);
    }

    @Override
    public void destroy() {
      client.shutdown();
    }

    @Override
    public String toString() {
      return "Idempo's RedisClient";
    }
  }
}
