package dev.idempo.redis;

import static dev.idempo.redis.RedisIdempotencyStoreTest.acquire;
import static dev.idempo.redis.RedisIdempotencyStoreTest.fingerprint;
import static dev.idempo.redis.RedisIdempotencyStoreTest.newKey;
import static dev.idempo.redis.RedisIdempotencyStoreTest.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.ClaimResult;
import dev.idempo.store.RecordState;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.store.UpdateResult;
import dev.idempo.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code waitForReplicas} on the shared server, which has no replica: {@code WAIT 0} passes at
 * once, {@code WAIT 1} times out and the store refuses to let the work run.
 */
class RedisReplicaWaitTest {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration RETENTION = Duration.ofMinutes(10);

  private static RedisClient client;
  private static StatefulRedisConnection<String, String> rawConnection;
  private static RedisCommands<String, String> raw;

  @BeforeAll
  static void connect() {
    client = RedisClient.create(RedisServer.shared().uri());
    rawConnection = client.connect();
    raw = rawConnection.sync();
  }

  @AfterAll
  static void disconnect() {
    rawConnection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  @Test
  void waitingForZeroReplicasAddsOneWaitAfterClaimAndAfterComplete() {
    try (RedisIdempotencyStore store =
        RedisIdempotencyStore.builder(client)
            .keyPrefix("wait0:")
            .waitForReplicas(0, Duration.ofMillis(100))
            .build()) {
      StorageKey warmUp = newKey();
      store.complete(warmUp, acquire(store, warmUp), response("warm"));
      StorageKey key = newKey();

      CommandStats before = CommandStats.read(raw);
      long fence = acquire(store, key);
      assertEquals(UpdateResult.APPLIED, store.complete(key, fence, response("done")));
      CommandStats afterNew = CommandStats.read(raw);
      assertInstanceOf(
          ClaimResult.Replay.class, store.claim(key, fingerprint("a"), LEASE, RETENTION));
      CommandStats afterReplay = CommandStats.read(raw);

      assertEquals(2L, afterNew.since(before).get("wait"), afterNew.since(before).toString());
      assertEquals(4, afterNew.roundTripsSince(before), afterNew.since(before).toString());
      assertEquals(1, afterReplay.roundTripsSince(afterNew), "a replay writes nothing, so no WAIT");
    }
  }

  @Test
  void aClaimNoReplicaAcknowledgesFailsAndIsReleasedSoTheWorkMustNotRun() {
    try (RedisIdempotencyStore plain =
            RedisIdempotencyStore.builder(client).keyPrefix("wait1:").build();
        RedisIdempotencyStore waiting =
            RedisIdempotencyStore.builder(client)
                .keyPrefix("wait1:")
                .waitForReplicas(1, Duration.ofMillis(100))
                .build()) {
      StorageKey key = newKey();

      StoreUnavailableException refused =
          assertThrows(
              StoreUnavailableException.class,
              () -> waiting.claim(key, fingerprint("a"), LEASE, RETENTION));

      assertTrue(refused.getMessage().contains("only 0 of 1 replicas"), refused.getMessage());
      assertTrue(refused.getMessage().contains("must not run"), refused.getMessage());
      assertNull(refused.getCause(), "WAIT answered; it was the count that fell short");
      assertEquals(Optional.empty(), plain.find(key), "the unacknowledged claim was released");
      assertInstanceOf(
          ClaimResult.Acquired.class, plain.claim(key, fingerprint("a"), LEASE, RETENTION));
    }
  }

  @Test
  void aCompletionNoReplicaAcknowledgesFailsButStaysOnThePrimary() {
    try (RedisIdempotencyStore plain =
            RedisIdempotencyStore.builder(client).keyPrefix("wait1:").build();
        RedisIdempotencyStore waiting =
            RedisIdempotencyStore.builder(client)
                .keyPrefix("wait1:")
                .waitForReplicas(1, Duration.ofMillis(100))
                .build()) {
      StorageKey key = newKey();
      long fence = acquire(plain, key);

      StoreUnavailableException refused =
          assertThrows(
              StoreUnavailableException.class,
              () -> waiting.complete(key, fence, response("done")));

      assertTrue(refused.getMessage().contains("only 0 of 1 replicas"), refused.getMessage());
      assertEquals(RecordState.COMPLETED, plain.find(key).orElseThrow().state());
      // Fenced updates other than complete do not wait.
      StorageKey other = newKey();
      assertEquals(UpdateResult.APPLIED, waiting.release(other, acquire(plain, other)));
    }
  }
}
