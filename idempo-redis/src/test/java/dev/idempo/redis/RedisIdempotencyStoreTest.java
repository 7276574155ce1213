package dev.idempo.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.IdempotencyRecord;
import dev.idempo.store.RecordState;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import dev.idempo.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the contract suite does not cover: Redis specifics, on the shared redis-server. */
class RedisIdempotencyStoreTest {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration RETENTION = Duration.ofMinutes(10);
  private static final AtomicInteger PREFIXES = new AtomicInteger();

  private static RedisClient client;
  private static StatefulRedisConnection<byte[], byte[]> connection;
  private static StatefulRedisConnection<String, String> rawConnection;
  private static RedisCommands<String, String> raw;

  private String prefix;
  private RedisIdempotencyStore store;

  @BeforeAll
  static void connect() {
    client = RedisClient.create(RedisServer.shared().uri());
    connection = client.connect(ByteArrayCodec.INSTANCE);
    rawConnection = client.connect();
    raw = rawConnection.sync();
  }

  @AfterAll
  static void disconnect() {
    rawConnection.close();
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  @BeforeEach
  void openStore() {
    prefix = "unit-" + PREFIXES.incrementAndGet() + ":";
    store = RedisIdempotencyStore.builder(connection).keyPrefix(prefix).build();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  // ------------------------------------------------------------------------------- fences

  @Test
  void releaseThenClaimGivesAHigherFenceEveryTime() {
    StorageKey key = newKey();
    long previous = 0;
    for (int round = 0; round < 200; round++) {
      long fence = acquire(store, key);
      assertTrue(fence > previous, "round " + round + ": fence " + fence + " after " + previous);
      assertEquals(UpdateResult.APPLIED, store.release(key, fence));
      assertEquals(Optional.empty(), store.find(key));
      previous = fence;
    }
  }

  @Test
  void expiryThenClaimGivesAHigherFence() throws InterruptedException {
    StorageKey inProgress = newKey();
    StorageKey completed = newKey();
    Duration lease = Duration.ofMillis(20);
    Duration retention = Duration.ofMillis(40);
    long first = fence(store.claim(inProgress, fingerprint("a"), lease, retention));
    long firstCompleted = fence(store.claim(completed, fingerprint("a"), lease, retention));
    assertEquals(UpdateResult.APPLIED, store.complete(completed, firstCompleted, response("done")));

    Thread.sleep(150); // the server's clock decides expiry; let it pass retention

    assertEquals(0L, raw.exists(redisKey(inProgress), redisKey(completed)), "Redis expired both");
    ClaimResult.Acquired next =
        assertInstanceOf(
            ClaimResult.Acquired.class,
            store.claim(inProgress, fingerprint("a"), LEASE, RETENTION));
    assertFalse(next.takeover());
    assertTrue(next.fence() > first, next.fence() + " must exceed " + first);
    assertEquals(UpdateResult.FENCE_LOST, store.complete(inProgress, first, response("zombie")));
    long nextCompleted = acquire(store, completed);
    assertTrue(nextCompleted > firstCompleted, nextCompleted + " must exceed " + firstCompleted);
  }

  @Test
  void fencesFollowTheServerClockInMicroseconds() {
    List<String> time = raw.time();
    long serverMicros = Long.parseLong(time.get(0)) * 1_000_000 + Long.parseLong(time.get(1));

    long fence = acquire(store, newKey());

    assertTrue(fence >= serverMicros, fence + " < server time " + serverMicros);
    assertTrue(
        fence < serverMicros + 60_000_000L, fence + " is not about server time " + serverMicros);
  }

  // ------------------------------------------------------------------------- record format

  @Test
  void aRecordOfAnUnknownFormatVersionIsAnErrorNamingTheVersionAndStaysUnchanged() {
    StorageKey key = newKey();
    raw.hset(redisKey(key), Map.of("v", "9", "state", "P", "fence", "5"));

    UnknownRecordFormatException claim =
        assertThrows(
            UnknownRecordFormatException.class,
            () -> store.claim(key, fingerprint("a"), LEASE, RETENTION));
    assertEquals("9", claim.version());
    assertTrue(claim.getMessage().contains("format version 9"), claim.getMessage());
    assertTrue(claim.getMessage().contains(redisKey(key)), claim.getMessage());
    assertEquals(
        "9",
        assertThrows(
                UnknownRecordFormatException.class, () -> store.complete(key, 5, response("x")))
            .version());
    assertEquals(
        "9",
        assertThrows(UnknownRecordFormatException.class, () -> store.release(key, 5)).version());
    assertEquals(
        "9",
        assertThrows(UnknownRecordFormatException.class, () -> store.renew(key, 5, LEASE))
            .version());
    assertEquals(
        "9",
        assertThrows(
                UnknownRecordFormatException.class,
                () -> store.checkpoint(key, 5, RecoveryPoint.of("s", new byte[0])))
            .version());
    assertEquals(
        "9", assertThrows(UnknownRecordFormatException.class, () -> store.find(key)).version());

    assertEquals(Map.of("v", "9", "state", "P", "fence", "5"), raw.hgetall(redisKey(key)));
  }

  @Test
  void aHashWithoutAFormatVersionIsAnErrorSayingSo() {
    StorageKey key = newKey();
    raw.hset(redisKey(key), "something", "else");

    UnknownRecordFormatException claim =
        assertThrows(
            UnknownRecordFormatException.class,
            () -> store.claim(key, fingerprint("a"), LEASE, RETENTION));
    assertNull(claim.version());
    assertTrue(claim.getMessage().contains("no format version"), claim.getMessage());
    assertThrows(UnknownRecordFormatException.class, () -> store.release(key, 1));
    assertThrows(UnknownRecordFormatException.class, () -> store.find(key));
    assertEquals(Map.of("something", "else"), raw.hgetall(redisKey(key)));
  }

  @Test
  void theRecordIsOneHashWithTheDocumentedFieldsAndANativeExpiry() {
    StorageKey key = newKey();
    long fence = acquire(store, key);
    store.checkpoint(key, fence, RecoveryPoint.of("charged", bytes("ch-1")));

    Map<String, String> inProgress = raw.hgetall(redisKey(key));
    assertEquals("1", inProgress.get("v"));
    assertEquals("P", inProgress.get("state"));
    assertEquals(Long.toString(fence), inProgress.get("fence"));
    assertEquals("charged", inProgress.get("rp_name"));
    assertEquals(Long.toString(RETENTION.toMillis()), inProgress.get("ret"));
    assertEquals(Long.parseLong(inProgress.get("exp")), raw.pexpiretime(redisKey(key)));

    store.complete(key, fence, response("done"));
    Map<String, String> completed = raw.hgetall(redisKey(key));
    assertEquals("C", completed.get("state"));
    assertEquals("done", completed.get("resp"));
    assertFalse(completed.containsKey("rp_name"), "recovery points go once completed");
    long ttl = raw.pttl(redisKey(key));
    assertTrue(ttl > RETENTION.toMillis() - 60_000 && ttl <= RETENTION.toMillis(), "TTL " + ttl);
  }

  // ------------------------------------------------------------------------ cluster slots

  @Test
  void everyKeyOfARecordLivesInTheSlotOfItsHashTag() {
    RedisIdempotencyStore other =
        RedisIdempotencyStore.builder(connection).keyPrefix("other:app:").build();
    for (int i = 0; i < 100; i++) {
      StorageKey key = newKey();
      int tagSlot = SlotHash.getSlot(key.toString());
      assertEquals(tagSlot, SlotHash.getSlot(store.recordKey(key)), redisKey(key));
      assertEquals(
          tagSlot, SlotHash.getSlot(other.recordKey(key)), "the prefix never changes the slot");
    }

    // The store writes no companion key: claim, checkpoint, complete and release leave one key.
    StorageKey key = newKey();
    long fence = acquire(store, key);
    store.checkpoint(key, fence, RecoveryPoint.of("step", new byte[0]));
    store.complete(key, fence, response("done"));
    StorageKey released = newKey();
    store.release(released, acquire(store, released));
    List<String> written = raw.keys(prefix + "*");
    assertEquals(List.of(redisKey(key)), written);
    assertEquals(SlotHash.getSlot(key.toString()), SlotHash.getSlot(written.get(0)));
  }

  // -------------------------------------------------------------------------- round trips

  @Test
  void aNewRequestTakesTwoRoundTripsAndAReplayOne() {
    StorageKey warmUp = newKey();
    store.complete(warmUp, acquire(store, warmUp), response("warm")); // scripts cached
    StorageKey key = newKey();

    CommandStats beforeNew = CommandStats.read(raw);
    long fence = acquire(store, key);
    assertEquals(UpdateResult.APPLIED, store.complete(key, fence, response("done")));
    CommandStats afterNew = CommandStats.read(raw);

    ClaimResult replay = store.claim(key, fingerprint("a"), LEASE, RETENTION);
    CommandStats afterReplay = CommandStats.read(raw);
    store.find(key);
    CommandStats afterFind = CommandStats.read(raw);

    assertInstanceOf(ClaimResult.Replay.class, replay);
    assertEquals(
        2, afterNew.roundTripsSince(beforeNew), "claim + complete: " + afterNew.since(beforeNew));
    assertEquals(2L, afterNew.since(beforeNew).get("evalsha"));
    assertEquals(
        1, afterReplay.roundTripsSince(afterNew), "replay: " + afterReplay.since(afterNew));
    assertEquals(1L, afterReplay.since(afterNew).get("evalsha"));
    assertEquals(Map.of("hgetall", 1L), afterFind.since(afterReplay), "find");
  }

  @Test
  void afterScriptFlushTheStoreFallsBackToEvalOnceAndThenUsesEvalshaAgain() {
    StorageKey key = newKey();
    acquire(store, key); // claim script cached
    raw.scriptFlush();

    CommandStats before = CommandStats.read(raw);
    ClaimResult afterFlush = store.claim(key, fingerprint("a"), LEASE, RETENTION);
    CommandStats afterFallback = CommandStats.read(raw);
    ClaimResult again = store.claim(key, fingerprint("a"), LEASE, RETENTION);
    CommandStats afterAgain = CommandStats.read(raw);

    assertInstanceOf(ClaimResult.InFlight.class, afterFlush);
    assertInstanceOf(ClaimResult.InFlight.class, again);
    Map<String, Long> fallback = afterFallback.since(before);
    assertEquals(1L, fallback.get("evalsha"), "EVALSHA answered NOSCRIPT: " + fallback);
    assertEquals(1L, fallback.get("eval"), "then EVAL: " + fallback);
    assertEquals(
        Map.of("evalsha", 1L), filterScripts(afterAgain.since(afterFallback)), "EVAL cached it");
  }

  // ------------------------------------------------------------------------------ limits

  @Test
  void anOversizedResponseIsRefusedBeforeAnythingIsWritten() {
    RedisIdempotencyStore small =
        RedisIdempotencyStore.builder(connection).keyPrefix(prefix).maxResponseBytes(10).build();
    StorageKey key = newKey();
    long fence = acquire(small, key);

    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> small.complete(key, fence, StoredResponse.of(new byte[11])));
    assertTrue(refused.getMessage().contains("maxResponseBytes"), refused.getMessage());
    assertTrue(refused.getMessage().contains("11"), refused.getMessage());
    assertEquals(RecordState.IN_PROGRESS, small.find(key).orElseThrow().state());

    assertEquals(UpdateResult.APPLIED, small.complete(key, fence, StoredResponse.of(new byte[10])));
  }

  @Test
  void purgeExpiredHasNothingToDoBecauseRedisExpiresRecordsItself() {
    assertEquals(0, store.purgeExpired(100_000));
    assertThrows(IllegalArgumentException.class, () -> store.purgeExpired(100_001));
  }

  @Test
  void findReadsBackEveryField() {
    StorageKey key = newKey();
    long fence = acquire(store, key);
    store.checkpoint(key, fence, RecoveryPoint.of("reserved ☕", new byte[] {0, -1, 7}));

    IdempotencyRecord inProgress = store.find(key).orElseThrow();
    assertEquals(fence, inProgress.fence());
    assertEquals(fingerprint("a"), inProgress.fingerprint());
    assertEquals(
        Optional.of(RecoveryPoint.of("reserved ☕", new byte[] {0, -1, 7})),
        inProgress.recoveryPoint());
    assertEquals(
        RETENTION.toMillis(),
        Duration.between(inProgress.leaseExpiresAt(), inProgress.expiresAt())
            .plus(LEASE)
            .toMillis());
  }

  // ----------------------------------------------------------------------- configuration

  @Test
  void theSharedTestServerRunsNoevictionAndTheStoreReportsIt() {
    try (LogCapture log = LogCapture.store()) {
      RedisIdempotencyStore checked = RedisIdempotencyStore.builder(connection).build();
      assertEquals(Optional.of("noeviction"), checked.maxmemoryPolicy());
      assertEquals(List.of(), log.warnings());
    }
  }

  @Test
  void closeClosesOnlyAConnectionTheStoreOpened() {
    RedisIdempotencyStore owning = RedisIdempotencyStore.builder(client).keyPrefix(prefix).build();
    StorageKey key = newKey();
    acquire(owning, key);
    owning.close();
    owning.close(); // idempotent
    StoreUnavailableException closed =
        assertThrows(StoreUnavailableException.class, () -> owning.find(key));
    assertInstanceOf(RedisException.class, closed.getCause());

    RedisIdempotencyStore borrowing =
        RedisIdempotencyStore.builder(connection).keyPrefix(prefix).build();
    borrowing.close();
    assertTrue(connection.isOpen());
    assertEquals(RecordState.IN_PROGRESS, store.find(key).orElseThrow().state());
  }

  @Test
  void builderRejectsBadValuesNamingThem() {
    RedisIdempotencyStore.Builder builder = RedisIdempotencyStore.builder(connection);

    assertMessageNames(
        "client",
        assertThrows(
            NullPointerException.class, () -> RedisIdempotencyStore.builder((RedisClient) null)));
    assertMessageNames(
        "connection",
        assertThrows(
            NullPointerException.class,
            () -> RedisIdempotencyStore.builder((StatefulRedisConnection<byte[], byte[]>) null)));
    assertMessageNames(
        "keyPrefix", assertThrows(NullPointerException.class, () -> builder.keyPrefix(null)));
    assertMessageNames(
        "keyPrefix",
        assertThrows(IllegalArgumentException.class, () -> builder.keyPrefix("app{1}:")));
    assertMessageNames(
        "keyPrefix",
        assertThrows(IllegalArgumentException.class, () -> builder.keyPrefix("x".repeat(257))));
    assertMessageNames(
        "maxResponseBytes",
        assertThrows(IllegalArgumentException.class, () -> builder.maxResponseBytes(0)));
    assertMessageNames(
        "maxResponseBytes",
        assertThrows(
            IllegalArgumentException.class,
            () -> builder.maxResponseBytes(RedisIdempotencyStore.MAX_RESPONSE_BYTES_LIMIT + 1)));
    assertMessageNames(
        "commandTimeout",
        assertThrows(IllegalArgumentException.class, () -> builder.commandTimeout(Duration.ZERO)));
    assertMessageNames(
        "commandTimeout",
        assertThrows(NullPointerException.class, () -> builder.commandTimeout(null)));
    assertMessageNames(
        "replicas",
        assertThrows(
            IllegalArgumentException.class,
            () -> builder.waitForReplicas(-1, Duration.ofSeconds(1))));
    assertMessageNames(
        "timeout",
        assertThrows(
            IllegalArgumentException.class, () -> builder.waitForReplicas(1, Duration.ZERO)));
    assertMessageNames(
        "timeout",
        assertThrows(
            IllegalArgumentException.class,
            () -> builder.waitForReplicas(1, Duration.ofMinutes(2))));
  }

  // ------------------------------------------------------------------------------ helpers

  private static Map<String, Long> filterScripts(Map<String, Long> calls) {
    Map<String, Long> outside = new java.util.TreeMap<>(calls);
    outside.keySet().removeAll(CommandStats.INSIDE_SCRIPTS);
    return outside;
  }

  private String redisKey(StorageKey key) {
    return prefix + "{" + key + "}";
  }

  static StorageKey newKey() {
    byte[] bytes = new byte[StorageKey.LENGTH];
    ThreadLocalRandom.current().nextBytes(bytes);
    return StorageKey.of(bytes);
  }

  static Fingerprint fingerprint(String request) {
    return Fingerprint.builder().add("request", request).build();
  }

  static StoredResponse response(String text) {
    return StoredResponse.of(bytes(text));
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static long acquire(RedisIdempotencyStore store, StorageKey key) {
    return fence(store.claim(key, fingerprint("a"), LEASE, RETENTION));
  }

  static long fence(ClaimResult result) {
    return assertInstanceOf(ClaimResult.Acquired.class, result).fence();
  }

  static void assertMessageNames(String argument, Throwable thrown) {
    assertTrue(
        thrown.getMessage() != null && thrown.getMessage().contains(argument),
        "message should name '" + argument + "': " + thrown.getMessage());
  }
}
