package dev.idempo.redis;

import static dev.idempo.redis.RedisIdempotencyStoreTest.acquire;
import static dev.idempo.redis.RedisIdempotencyStoreTest.fingerprint;
import static dev.idempo.redis.RedisIdempotencyStoreTest.newKey;
import static dev.idempo.redis.RedisIdempotencyStoreTest.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.ExecutionOutcome;
import dev.idempo.ExecutionResult;
import dev.idempo.Fingerprint;
import dev.idempo.Idempotency;
import dev.idempo.IdempotencyKey;
import dev.idempo.IdempotencyListener;
import dev.idempo.ResultCodec;
import dev.idempo.Scope;
import dev.idempo.StoreCall;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The store against servers started for one test each: killed, evicting, CONFIG disabled. */
class RedisServerConditionsTest {

  @Test
  void aKilledServerMakesEveryCallStoreUnavailableWithTheCause() {
    withServer(
        List.of(),
        (server, client) -> {
          try (RedisIdempotencyStore store =
              RedisIdempotencyStore.builder(client)
                  .commandTimeout(Duration.ofMillis(300))
                  .build()) {
            StorageKey key = newKey();
            long fence = acquire(store, key);
            server.kill();

            for (Runnable call :
                List.<Runnable>of(
                    () ->
                        store.claim(
                            key, fingerprint("a"), Duration.ofSeconds(5), Duration.ofMinutes(1)),
                    () -> store.complete(key, fence, response("done")),
                    () -> store.release(key, fence),
                    () -> store.find(key))) {
              StoreUnavailableException unavailable =
                  assertThrows(StoreUnavailableException.class, call::run);
              assertInstanceOf(
                  RedisException.class, unavailable.getCause(), unavailable.toString());
              assertTrue(
                  unavailable.getMessage().contains("{" + key + "}"), unavailable.getMessage());
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

  /**
   * Issue 9 item 7: with Redis paused past the client timeout the caller got 503 "not run", then
   * the claim script ran on Redis; retries got 409, then outcome-unknown for the retention,
   * although the work never ran. Now the executor abandons the lost claim by its token.
   */
  @Test
  void aClaimWhoseReplyTimedOutWhileRedisWasPausedIsAbandonedAndARetryRunsOnce() {
    withServer(
        List.of(),
        (server, client) -> {
          try (RedisIdempotencyStore store =
                  RedisIdempotencyStore.builder(client)
                      .commandTimeout(Duration.ofMillis(300))
                      .build();
              StatefulRedisConnection<String, String> admin = client.connect()) {
            CountDownLatch abandoned = new CountDownLatch(1);
            Idempotency<String> payments =
                Idempotency.builder(store, ResultCodec.utf8())
                    .listener(
                        new IdempotencyListener() {
                          @Override
                          public void onStoreCall(StoreCall call, long nanos, Throwable failure) {
                            if (call == StoreCall.ABANDON && failure == null) {
                              abandoned.countDown();
                            }
                          }
                        })
                    .build();
            Scope scope = Scope.of("alice", "POST /charges");
            IdempotencyKey key = IdempotencyKey.of("paused-1");
            Fingerprint request = fingerprint("a");
            AtomicInteger runs = new AtomicInteger();

            // Scripts cached, as on any server in use: a paused EVALSHA would else fail NOSCRIPT.
            payments.execute(scope, IdempotencyKey.of("warm-up"), request, context -> "warm");
            admin.sync().clientPause(1_500); // past the 300 ms client timeout, then recovers
            assertThrows(
                StoreUnavailableException.class,
                () ->
                    payments.execute(
                        scope, key, request, context -> "run " + runs.incrementAndGet()));

            assertTrue(abandoned.await(30, TimeUnit.SECONDS), "the lost claim was never abandoned");
            ExecutionResult<String> retry =
                payments.execute(scope, key, request, context -> "run " + runs.incrementAndGet());
            assertEquals(ExecutionOutcome.EXECUTED, retry.outcome());
            assertEquals(1, runs.get(), "the work runs once, after the store recovered");
            assertEquals(
                ExecutionOutcome.REPLAYED,
                payments.execute(scope, key, request, context -> "again").outcome());
          } catch (InterruptedException e) {
            throw new AssertionError(e);
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
