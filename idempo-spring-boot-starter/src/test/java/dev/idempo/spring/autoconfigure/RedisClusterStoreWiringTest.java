package dev.idempo.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempo.redis.RedisIdempotencyStore;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.testsupport.RedisCluster;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** {@code idempo.store.type=redis} on a real Redis Cluster, through each way to name it. */
class RedisClusterStoreWiringTest {
  private final WebApplicationContextRunner runner =
      new WebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(IdempoAutoConfiguration.class, RedisAutoConfiguration.class));

  @Test
  void clusterFromTheClusterNodesProperty() {
    runner
        .withPropertyValues(
            "idempo.store.type=redis",
            "idempo.store.redis.cluster-nodes=" + RedisCluster.shared().seeds())
        .run(
            context -> {
              assertThat(context).hasSingleBean(RedisStores.OwnedClusterClient.class);
              assertThat(context.getBean(IdempotencyStore.class))
                  .isInstanceOf(RedisIdempotencyStore.class);
              StoreWiringTest.roundTrip(context.getBean(IdempotencyStore.class));
            });
  }

  @Test
  void clusterNodesAsAnIndexedListAsYamlWritesThem() {
    List<String> uris = RedisCluster.shared().uris();
    runner
        .withPropertyValues(
            "idempo.store.type=redis",
            "idempo.store.redis.cluster-nodes[0]=" + uris.get(0),
            "idempo.store.redis.cluster-nodes[1]=" + uris.get(1))
        .run(context -> StoreWiringTest.roundTrip(context.getBean(IdempotencyStore.class)));
  }

  @Test
  void clusterOnTheApplicationsRedisClusterClient() {
    RedisClusterClient client =
        RedisClusterClient.create(
            RedisCluster.shared().uris().stream().map(RedisURI::create).toList());
    try {
      runner
          .withBean(RedisClusterClient.class, () -> client)
          .withPropertyValues("idempo.store.type=redis")
          .run(context -> StoreWiringTest.roundTrip(context.getBean(IdempotencyStore.class)));
    } finally {
      client.shutdown();
    }
  }

  @Test
  void clusterOnTheApplicationsLettuceConnectionFactory() {
    runner
        .withPropertyValues(
            "idempo.store.type=redis",
            "spring.data.redis.cluster.nodes=" + RedisCluster.shared().seeds())
        .run(
            context -> {
              assertThat(context).hasSingleBean(LettuceConnectionFactory.class);
              StoreWiringTest.roundTrip(context.getBean(IdempotencyStore.class));
            });
  }

  @Test
  void uriAndClusterNodesTogetherAreRefused() {
    runner
        .withPropertyValues(
            "idempo.store.type=redis",
            "idempo.store.redis.uri=redis://127.0.0.1:1",
            "idempo.store.redis.cluster-nodes=127.0.0.1:2")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining(
                        "idempo.store.redis.uri and idempo.store.redis.cluster-nodes are both"
                            + " set"));
  }
}
