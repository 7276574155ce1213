package dev.idempo.gateway;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.redis.RedisIdempotencyStore;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.RecordPurger;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A store the gateway opened from a {@link StoreLocation}, with the connections behind it; {@link
 * #close()} closes both. Thread-safe.
 */
final class StoreConnection implements AutoCloseable {
  /** Room for the stored headers and the encoding around a response body of the largest size. */
  private static final int ENCODING_ALLOWANCE = 64 << 10;

  /** How long a store call may wait for a connection or an answer before it fails (503). */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

  /** Expired records one purge statement deletes at most: short locks, many batches a run. */
  static final int PURGE_BATCH = 1_000;

  /** The pause between purge runs. */
  static final Duration PURGE_INTERVAL = Duration.ofSeconds(10);

  private final IdempotencyStore store;
  private final AutoCloseable resources; // null: nothing beyond the store
  private final boolean purgesExpired;

  private StoreConnection(IdempotencyStore store, AutoCloseable resources, boolean purgesExpired) {
    this.store = store;
    this.resources = resources;
    this.purgesExpired = purgesExpired;
  }

  /**
   * Opens the store at {@code location}, sized for responses of up to {@code maxResponseBodyBytes}.
   *
   * @throws GatewayStartException saying why in one line if it cannot be opened
   */
  static StoreConnection open(StoreLocation location, int maxResponseBodyBytes) {
    int maxStoredBytes =
        (int)
            Math.min(
                JdbcIdempotencyStore.MAX_RESPONSE_BYTES_LIMIT,
                (long) maxResponseBodyBytes + ENCODING_ALLOWANCE);
    try {
      switch (location.kind()) {
        case MEMORY -> {
          InMemoryIdempotencyStore memory =
              InMemoryIdempotencyStore.builder().maxRecords(location.memoryCapacity()).build();
          return new StoreConnection(memory, null, true);
        }
        case SQLITE -> {
          return sqlite(location.sqliteFile(), maxStoredBytes);
        }
        case POSTGRESQL -> {
          return postgresql(location.location(), maxStoredBytes);
        }
        case REDIS_CLUSTER -> {
          return redisCluster(location.clusterSeeds(), maxStoredBytes);
        }
        default -> {
          return redis(location.location(), maxStoredBytes);
        }
      }
    } catch (GatewayStartException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new GatewayStartException("cannot open store " + location + ": " + oneLine(e), e);
    }
  }

  private static StoreConnection sqlite(Path file, int maxStoredBytes) {
    Path directory = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new GatewayStartException(
          "cannot create the store directory " + directory + ": " + e, e);
    }
    HikariConfig config = new HikariConfig();
    config.setPoolName("idempo-sqlite");
    config.setJdbcUrl("jdbc:sqlite:" + file);
    // One process per file: WAL lets readers run beside the one writer. FULL syncs the WAL at
    // every commit, so no acknowledged claim or completion is lost in a power cut (NORMAL could
    // lose the last ones: a second execution); the store's group commit pays one sync per batch.
    config.addDataSourceProperty("journal_mode", "WAL");
    config.addDataSourceProperty("synchronous", "FULL");
    config.addDataSourceProperty("busy_timeout", "5000");
    config.setMaximumPoolSize(4);
    config.setConnectionTimeout(CALL_TIMEOUT.toMillis());
    return jdbc(config, maxStoredBytes);
  }

  private static StoreConnection postgresql(String url, int maxStoredBytes) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("idempo-postgresql");
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(16);
    config.setConnectionTimeout(CALL_TIMEOUT.toMillis());
    // The pool connects lazily; the store's first query (its migration) tells an unreachable
    // server, as a StoreUnavailableException rather than a pool error logged with a stack trace.
    config.setInitializationFailTimeout(-1);
    config.addDataSourceProperty("connectTimeout", "5");
    return jdbc(config, maxStoredBytes);
  }

  private static StoreConnection jdbc(HikariConfig config, int maxStoredBytes) {
    HikariDataSource dataSource = new HikariDataSource(config);
    try {
      JdbcIdempotencyStore store =
          JdbcIdempotencyStore.builder(dataSource).maxResponseBytes(maxStoredBytes).build();
      return new StoreConnection(store, dataSource, true);
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
  }

  private static StoreConnection redis(String uri, int maxStoredBytes) {
    RedisClient client = RedisClient.create(RedisURI.create(uri));
    client.setOptions(
        ClientOptions.builder()
            .socketOptions(SocketOptions.builder().connectTimeout(CALL_TIMEOUT).build())
            // While Redis is unreachable a request gets 503 at once instead of queueing.
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
    try {
      RedisIdempotencyStore store =
          RedisIdempotencyStore.builder(client)
              .maxResponseBytes(maxStoredBytes)
              .commandTimeout(CALL_TIMEOUT)
              .build();
      return new StoreConnection(store, () -> client.shutdown(0, 2, TimeUnit.SECONDS), false);
    } catch (RuntimeException e) {
      client.shutdown(0, 2, TimeUnit.SECONDS);
      throw e;
    }
  }

  private static StoreConnection redisCluster(List<String> seeds, int maxStoredBytes) {
    RedisClusterClient client =
        RedisClusterClient.create(seeds.stream().map(RedisURI::create).toList());
    client.setOptions(
        ClusterClientOptions.builder()
            .socketOptions(SocketOptions.builder().connectTimeout(CALL_TIMEOUT).build())
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            // Follow a failover as soon as a node answers MOVED or a connection breaks, and
            // every few seconds in any case; until then calls on the lost master's slots get 503.
            .topologyRefreshOptions(
                ClusterTopologyRefreshOptions.builder()
                    .enableAllAdaptiveRefreshTriggers()
                    .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                    .enablePeriodicRefresh(Duration.ofSeconds(5))
                    .build())
            .build());
    try {
      RedisIdempotencyStore store =
          RedisIdempotencyStore.builder(client)
              .maxResponseBytes(maxStoredBytes)
              .commandTimeout(CALL_TIMEOUT)
              .build();
      return new StoreConnection(store, () -> client.shutdown(0, 2, TimeUnit.SECONDS), false);
    } catch (RuntimeException e) {
      client.shutdown(0, 2, TimeUnit.SECONDS);
      throw e;
    }
  }

  IdempotencyStore store() {
    return store;
  }

  /**
   * True for stores whose expired records are deleted by a periodic purge: SQL stores, whose tables
   * would grow without it, and the memory store, whose capacity it frees (Redis expires records
   * itself).
   */
  boolean purgesExpired() {
    return purgesExpired;
  }

  /**
   * Starts the purge of this store's expired records: the shared {@link RecordPurger}, in batches
   * of {@value #PURGE_BATCH} every {@link #PURGE_INTERVAL}, looping while full batches come back so
   * it keeps up with any ingest. The caller closes it before the store.
   */
  RecordPurger startPurger() {
    return RecordPurger.builder(List.of(store))
        .batchSize(PURGE_BATCH)
        .interval(PURGE_INTERVAL)
        .build()
        .start();
  }

  @Override
  public void close() {
    try {
      store.close();
    } finally {
      if (resources != null) {
        try {
          resources.close();
        } catch (Exception e) {
          // Closing at shutdown: nothing to do but carry on.
        }
      }
    }
  }

  /** The message of {@code e} and its causes, on one line. */
  static String oneLine(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null && text.length() < 500; t = t.getCause()) {
      String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (text.indexOf(message) < 0) {
        text.append(text.length() == 0 ? "" : ": ").append(message);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return text.toString().replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}
