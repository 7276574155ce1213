package dev.idempo.redis;

import static dev.idempo.redis.RedisIdempotencyStoreTest.acquire;
import static dev.idempo.redis.RedisIdempotencyStoreTest.fingerprint;
import static dev.idempo.redis.RedisIdempotencyStoreTest.newKey;
import static dev.idempo.redis.RedisIdempotencyStoreTest.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.StorageKey;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The store against servers started for one test each: killed, evicting, CONFIG disabled. */
class RedisServerConditionsTest {

  @Test
  void aKilledServerMakesEveryCallStoreUnavailableWithTheCause() {
    withServer(
        List.of(),
        (server, client) -> {
          try (RedisIdempotencyStore store =
              RedisIdempotencyStore.builder(client).commandTimeout(Duration.ofMillis(300)).build()) {
            StorageKey key = newKey();
            long fence = acquire(store, key);
            server.kill();

            for (Runnable call :
                List.<Runnable>of(
                    () -> store.claim(key, fingerprint("a"), Duration.ofSeconds(5), Duration.ofMinutes(1)),
                    () -> store.complete(key, fence, response("done")),
                    () -> store.release(key, fence),
                    () -> store.find(key))) {
              StoreUnavailableException unavailable = assertThrows(StoreUnavailableException.class, call::run);
              assertInstanceOf(RedisException.class, unavailable.getCause(), unavailable.toString());
              assertTrue(unavailable.getMessage().contains("{" + key + "}"), unavailable.getMessage());
            }
          }
        });
  }

  @Test
  void anEvictingMaxmemoryPolicyIsReportedAndLoggedAsAWarning() {
    withServer(
        List.of("--maxmemory-policy", "allkeys-lru"),
        (server, client) -> {
          try (LogCapture log = LogCapture.store();
              RedisIdempotencyStore store = RedisIdempotencyStore.builder(client).build()) {
            assertEquals(Optional.of("allkeys-lru"), store.maxmemoryPolicy());
            assertEquals(1, log.warnings().size(), log.warnings().toString());
            String warning = log.warnings().get(0);
            assertTrue(warning.contains("allkeys-lru") && warning.contains("noeviction"), warning);
          }
        });
  }

  @Test
  void aServerRefusingConfigIsToleratedWithAWarningThatThePolicyIsUnchecked() {
    withServer(
        List.of("--rename-command", "CONFIG", "CONFIG-renamed-like-managed-redis"),
        (server, client) -> {
          try (LogCapture log = LogCapture.store();
              RedisIdempotencyStore store = RedisIdempotencyStore.builder(client).build()) {
            assertEquals(Optional.empty(), store.maxmemoryPolicy());
            assertEquals(1, log.warnings().size(), log.warnings().toString());
            assertTrue(log.warnings().get(0).contains("Could not check"), log.warnings().get(0));
            StorageKey key = newKey();
            store.complete(key, acquire(store, key), response("works anyway"));
          }
        });
  }

  private interface ServerTest {
    void run(RedisServer server, RedisClient client);
  }

  /** Runs {@code test} with a server of its own, started with {@code args}, and a client of it. */
  private static void withServer(List<String> args, ServerTest test) {
    RedisServer server = RedisServer.start(args.toArray(String[]::new));
    RedisClient client = RedisClient.create(server.uri());
    try {
      test.run(server, client);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      server.stop();
    }
  }
}
