package dev.idempo.spring.autoconfigure;

import dev.idempo.redis.RedisIdempotencyStore;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

/**
 * Builds the Redis store for {@code idempo.store.type=redis}, on the first client found: Idempo's
 * own (from {@code idempo.store.redis.uri}, or a cluster client from {@code
 * idempo.store.redis.cluster-nodes}), the application's {@link RedisClient} or {@link
 * RedisClusterClient} bean, or the client behind its {@code LettuceConnectionFactory} (standalone
 * or cluster). The store opens a connection of its own on that client and closes it with the
 * context; the client stays the application's. Loaded only when idempo-redis is on the class path.
 */
final class RedisStores {
  private static final String CONNECTION_FACTORY =
      "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory";
  private static final String CLUSTER_NODES = "idempo.store.redis.cluster-nodes";

  private RedisStores() {}

  /**
   * @param storeBean the store's bean name: it is destroyed (its connection closed) before the
   *     client bean it uses
   */
  static RedisIdempotencyStore create(
      IdempoProperties.Redis redis, ListableBeanFactory beans, String storeBean) {
    AbstractRedisClient client = client(redis, beans, storeBean);
    RedisIdempotencyStore.Builder builder =
        client instanceof RedisClusterClient cluster
            ? RedisIdempotencyStore.builder(cluster)
            : RedisIdempotencyStore.builder((RedisClient) client);
    IdempotentHandlers.checked(
        "idempo.store.redis.key-prefix", () -> builder.keyPrefix(redis.getKeyPrefix()));
    IdempotentHandlers.checked(
        "idempo.store.redis.command-timeout",
        () -> builder.commandTimeout(redis.getCommandTimeout()));
    return builder.build();
  }

  private static AbstractRedisClient client(
      IdempoProperties.Redis redis, ListableBeanFactory beans, String storeBean) {
    boolean uri = redis.getUri() != null && !redis.getUri().isBlank();
    boolean clusterNodes = redis.getClusterNodes() != null && !redis.getClusterNodes().isEmpty();
    if (uri && clusterNodes) {
      throw new IllegalStateException(
          "idempo.store.redis.uri and "
              + CLUSTER_NODES
              + " are both set; set uri for one Redis"
              + " server, cluster-nodes for a Redis Cluster");
    }
    if (uri) {
      dependsOn(beans, storeBean, OwnedClient.class);
      return beans.getBean(OwnedClient.class).client;
    }
    if (clusterNodes) {
      dependsOn(beans, storeBean, OwnedClusterClient.class);
      return beans.getBean(OwnedClusterClient.class).client;
    }
    RedisClient client = beans.getBeanProvider(RedisClient.class).getIfUnique(() -> null);
    if (client != null) {
      dependsOn(beans, storeBean, RedisClient.class);
      return client;
    }
    RedisClusterClient cluster =
        beans.getBeanProvider(RedisClusterClient.class).getIfUnique(() -> null);
    if (cluster != null) {
      dependsOn(beans, storeBean, RedisClusterClient.class);
      return cluster;
    }
    if (ClassUtils.isPresent(CONNECTION_FACTORY, RedisStores.class.getClassLoader())) {
      AbstractRedisClient nativeClient = ConnectionFactoryClient.find(beans, storeBean);
      if (nativeClient instanceof RedisClient || nativeClient instanceof RedisClusterClient) {
        return nativeClient;
      }
      if (nativeClient != null) {
        throw new IllegalStateException(
            "idempo.store.type=redis: the LettuceConnectionFactory uses a "
                + nativeClient.getClass().getSimpleName()
                + "; the Redis store needs a RedisClient or RedisClusterClient: set"
                + " idempo.store.redis.uri or "
                + CLUSTER_NODES);
      }
    }
    throw new IllegalStateException(
        "idempo.store.type=redis needs a Redis client: set idempo.store.redis.uri"
            + " (redis://host:6379) or "
            + CLUSTER_NODES
            + " (host:7000,host:7001), or declare a"
            + " Lettuce RedisClient or RedisClusterClient bean, or use"
            + " spring-boot-starter-data-redis with Lettuce");
  }

  /**
   * Reads the client behind the application's LettuceConnectionFactory; only with
   * spring-data-redis.
   */
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

  /**
   * Registers that {@code storeBean} uses the unique bean of {@code type}, so it is destroyed
   * first.
   */
  private static void dependsOn(ListableBeanFactory beans, String storeBean, Class<?> type) {
    String[] names = beans.getBeanNamesForType(type, false, false);
    if (names.length == 1 && beans instanceof ConfigurableBeanFactory registry) {
      registry.registerDependentBean(names[0], storeBean);
    }
  }

  /**
   * The resources of a client Idempo creates: Lettuce's defaults without its command latency
   * recorder, which Lettuce turns on whenever LatencyUtils and HdrHistogram are on the class path
   * (Micrometer brings them) and which then records every command in histograms on the event loop
   * (1.5–2% of the application's samples under load, in {@code starter-load.sh}'s profile). Idempo
   * reads none of it: the store calls are timed by its own listener.
   */
  private static ClientResources ownedResources() {
    return DefaultClientResources.builder()
        .commandLatencyRecorder(CommandLatencyRecorder.disabled())
        .build();
  }

  /** A client Idempo created from {@code idempo.store.redis.uri}: shut down with the context. */
  static final class OwnedClient implements DisposableBean {
    private final ClientResources resources;
    private final RedisClient client;

    OwnedClient(String uri) {
      this.resources = ownedResources();
      this.client = RedisClient.create(resources, uri);
    }

    /** The client's resources, to check how it was built. */
    ClientResources resources() {
      return resources;
    }

    // The resources' threads end in the background within Lettuce's 2 s shutdown timeout; the
    // client's shutdown, which closed every connection, has already waited.
    @Override
    @SuppressWarnings("FutureReturnValueIgnored")
    public void destroy() {
      client.shutdown();
      resources.shutdown();
    }

    @Override
    public String toString() {
      return "Idempo's RedisClient";
    }
  }

  /**
   * A cluster client Idempo created from {@code idempo.store.redis.cluster-nodes}, following
   * failovers through adaptive and periodic topology refresh: shut down with the context.
   */
  static final class OwnedClusterClient implements DisposableBean {
    private final ClientResources resources;
    private final RedisClusterClient client;

    OwnedClusterClient(List<String> nodes) {
      List<RedisURI> seeds = nodes.stream().map(OwnedClusterClient::seed).toList();
      this.resources = ownedResources();
      this.client = RedisClusterClient.create(resources, seeds);
      client.setOptions(
          ClusterClientOptions.builder()
              .topologyRefreshOptions(
                  ClusterTopologyRefreshOptions.builder()
                      .enableAllAdaptiveRefreshTriggers()
                      .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                      .enablePeriodicRefresh(Duration.ofSeconds(5))
                      .build())
              .build());
    }

    /** {@code host:port}, or a {@code redis://} / {@code rediss://} URI as Lettuce reads it. */
    private static RedisURI seed(String node) {
      String trimmed = node == null ? "" : node.trim();
      try {
        return trimmed.toLowerCase(Locale.ROOT).matches("rediss?://.*")
            ? RedisURI.create(trimmed)
            : RedisURI.create("redis://" + trimmed);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            CLUSTER_NODES + ": '" + node + "' is not host:port or redis://host:port", e);
      }
    }

    // The resources' threads end in the background within Lettuce's 2 s shutdown timeout; the
    // client's shutdown, which closed every connection, has already waited.
    @Override
    @SuppressWarnings("FutureReturnValueIgnored")
    public void destroy() {
      client.shutdown();
      resources.shutdown();
    }

    @Override
    public String toString() {
      return "Idempo's RedisClusterClient";
    }
  }

  /** Matches when {@code idempo.store.redis.cluster-nodes} lists at least one node. */
  static final class ClusterNodesSet extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(
        ConditionContext context, AnnotatedTypeMetadata metadata) {
      List<String> nodes =
          Binder.get(context.getEnvironment())
              .bind(CLUSTER_NODES, Bindable.listOf(String.class))
              .orElse(List.of());
      return nodes.isEmpty()
          ? ConditionOutcome.noMatch(CLUSTER_NODES + " is not set")
          : ConditionOutcome.match(CLUSTER_NODES + " lists " + nodes.size() + " node(s)");
    }
  }
}
