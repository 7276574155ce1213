package dev.idempo.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempo.Fingerprint;
import dev.idempo.IdempotencyKey;
import dev.idempo.Scope;
import dev.idempo.jdbc.Dialect;
import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.redis.RedisIdempotencyStore;
import dev.idempo.spring.micrometer.MicrometerIdempotencyListener;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredResponse;
import dev.idempo.testsupport.PostgresServer;
import dev.idempo.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * {@code idempo.store.type} wires each store on a real server (SQLite file, the shared PostgreSQL
 * and redis-server), and the wired store answers a claim, a complete and a replay.
 */
class StoreWiringTest {
  private final WebApplicationContextRunner runner =
      new WebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  IdempoAutoConfiguration.class,
                  IdempoMetricsAutoConfiguration.class,
                  RedisAutoConfiguration.class));

  private WebApplicationContextRunner withDataSource() {
    return runner.withConfiguration(
        AutoConfigurations.of(
            DataSourceAutoConfiguration.class,
            DataSourceTransactionManagerAutoConfiguration.class));
  }

  @TempDir Path directory;

  @Test
  void memoryByDefault() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(IdempotencyStore.class))
              .isInstanceOf(InMemoryIdempotencyStore.class);
          roundTrip(context.getBean(IdempotencyStore.class));
        });
  }

  @Test
  void jdbcOnSqliteDetectsTheDialect() {
    withDataSource()
        .withPropertyValues(
            "idempo.store.type=jdbc",
            "spring.datasource.url=jdbc:sqlite:"
                + directory.resolve("keys.db")
                + "?journal_mode=WAL&busy_timeout=5000")
        .run(
            context -> {
              IdempotencyStore store = context.getBean(IdempotencyStore.class);
              assertThat(store).isInstanceOf(JdbcIdempotencyStore.class);
              assertThat(((JdbcIdempotencyStore) store).dialect()).isEqualTo(Dialect.SQLITE);
              roundTrip(store);
            });
  }

  @Test
  void jdbcOnPostgresqlDetectsTheDialect() {
    withDataSource()
        .withPropertyValues(
            "idempo.store.type=jdbc",
            "idempo.store.jdbc.table-prefix=wiring_",
            "spring.datasource.url=" + PostgresServer.shared().jdbcUrl(),
            "spring.datasource.username=" + PostgresServer.USER)
        .run(
            context -> {
              JdbcIdempotencyStore store =
                  (JdbcIdempotencyStore) context.getBean(IdempotencyStore.class);
              assertThat(store.dialect()).isEqualTo(Dialect.POSTGRESQL);
              assertThat(store.tablePrefix()).isEqualTo("wiring_");
              roundTrip(store);
            });
  }

  @Test
  void redisFromTheUriProperty() {
    runner
        .withPropertyValues(
            "idempo.store.type=redis", "idempo.store.redis.uri=" + RedisServer.shared().uri())
        .run(
            context -> {
              assertThat(context.getBean(IdempotencyStore.class))
                  .isInstanceOf(RedisIdempotencyStore.class);
              roundTrip(context.getBean(IdempotencyStore.class));
              // Idempo's own client records no command latencies nobody reads.
              assertThat(
                      context
                          .getBean(RedisStores.OwnedClient.class)
                          .resources()
                          .commandLatencyRecorder()
                          .isEnabled())
                  .isFalse();
            });
  }

  @Test
  void redisOnTheApplicationsRedisClient() {
    RedisClient client = RedisClient.create(RedisServer.shared().uri());
    try {
      runner
          .withBean(RedisClient.class, () -> client)
          .withPropertyValues("idempo.store.type=redis")
          .run(context -> roundTrip(context.getBean(IdempotencyStore.class)));
    } finally {
      client.shutdown();
    }
  }

  @Test
  void redisOnTheApplicationsLettuceConnectionFactory() {
    runner
        .withPropertyValues(
            "idempo.store.type=redis",
            "spring.data.redis.host=" + RedisServer.shared().host(),
            "spring.data.redis.port=" + RedisServer.shared().port())
        .run(
            context -> {
              assertThat(context).hasSingleBean(LettuceConnectionFactory.class);
              roundTrip(context.getBean(IdempotencyStore.class));
            });
  }

  @Test
  void anApplicationStoreBeanWins() {
    InMemoryIdempotencyStore own = InMemoryIdempotencyStore.create();
    runner
        .withBean(IdempotencyStore.class, () -> own)
        .withPropertyValues("idempo.store.type=redis")
        .run(context -> assertThat(context.getBean(IdempotencyStore.class)).isSameAs(own));
  }

  @Test
  void metricsOnlyWithAMeterRegistry() {
    runner.run(context -> assertThat(context).doesNotHaveBean(MicrometerIdempotencyListener.class));
    runner
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .run(context -> assertThat(context).hasSingleBean(MicrometerIdempotencyListener.class));
    runner
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("idempo.metrics.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(MicrometerIdempotencyListener.class));
  }

  @Test
  void offWhenDisabled() {
    runner
        .withPropertyValues("idempo.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(IdempotencyStore.class));
  }

  @Test
  void expiredRecordsArePurgedOnSchedule() {
    AtomicLong now = new AtomicLong(1_000_000);
    InMemoryIdempotencyStore store =
        InMemoryIdempotencyStore.builder().clock(() -> Instant.ofEpochMilli(now.get())).build();
    runner
        .withBean(IdempotencyStore.class, () -> store)
        .run(
            context -> {
              ExpiredRecordPurger purger = context.getBean(ExpiredRecordPurger.class);
              assertThat(purger.isRunning()).isTrue();
              roundTrip(store);
              assertThat(purger.purgeOnce()).isZero();
              now.addAndGet(Duration.ofMinutes(6).toMillis()); // past the 5 min retention
              assertThat(purger.purgeOnce()).isEqualTo(1);
              assertThat(store.size()).isZero();
            });
    runner
        .withPropertyValues("idempo.store.purge-interval=0")
        .run(
            context ->
                assertThat(context.getBean(ExpiredRecordPurger.class).isRunning()).isFalse());
  }

  /**
   * Issue 9 item 11: one run deleted at most 100 batches of 1,000, so ingest above ~167 expired
   * records a second grew the table without bound. A run now drains the whole backlog.
   */
  @Test
  void aBacklogOfMoreThanAHundredBatchesIsDrainedInOneRun() {
    AtomicLong now = new AtomicLong(1_000_000);
    InMemoryIdempotencyStore store =
        InMemoryIdempotencyStore.builder()
            .clock(() -> Instant.ofEpochMilli(now.get()))
            .maxRecords(200_000)
            .build();
    for (int i = 0; i < 130_000; i++) {
      roundTrip(store);
    }
    now.addAndGet(Duration.ofMinutes(6).toMillis());
    runner
        .withBean(IdempotencyStore.class, () -> store)
        .withPropertyValues("idempo.store.purge-batch-size=1000")
        .run(
            context -> {
              assertThat(context.getBean(ExpiredRecordPurger.class).purgeOnce()).isEqualTo(130_000);
              assertThat(store.size()).isZero();
            });
    runner
        .withPropertyValues("idempo.store.purge-batch-size=0")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .hasStackTraceContaining("idempo.store.purge-batch-size"));
  }

  /** Claim, complete, then a second claim replays the stored bytes. */
  static void roundTrip(IdempotencyStore store) {
    StorageKey key =
        Scope.of("", "POST /wiring").storageKey(IdempotencyKey.of(UUID.randomUUID().toString()));
    Fingerprint fingerprint = Fingerprint.builder().add("body", "wiring").build();
    ClaimResult first =
        store.claim(key, fingerprint, Duration.ofSeconds(30), Duration.ofMinutes(5));
    assertThat(first).isInstanceOf(ClaimResult.Acquired.class);
    byte[] answer = "charged once".getBytes(StandardCharsets.UTF_8);
    assertThat(
            store
                .complete(key, ((ClaimResult.Acquired) first).fence(), StoredResponse.of(answer))
                .applied())
        .isTrue();
    ClaimResult second =
        store.claim(key, fingerprint, Duration.ofSeconds(30), Duration.ofMinutes(5));
    assertThat(second).isInstanceOf(ClaimResult.Replay.class);
    assertThat(((ClaimResult.Replay) second).response().toBytes()).isEqualTo(answer);
  }
}
