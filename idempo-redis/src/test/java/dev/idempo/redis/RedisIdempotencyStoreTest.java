package dev.idempo.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.ClaimToken;
import dev.idempo.store.IdempotencyRecord;
import dev.idempo.store.RecordState;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.store.StoredRecordUnreadableException;
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
import java.util.Arrays;
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
  void aStringOfAnUnknownFormatVersionIsAnErrorNamingTheVersionAndStaysUnchanged() {
    StorageKey key = newKey();
    raw.set(redisKey(key), "9P a record of a later format");

    UnknownRecordFormatException claim =
        assertThrows(
            UnknownRecordFormatException.class,
            () -> store.claim(key, fingerprint("a"), LEASE, RETENTION));
    assertEquals("9", claim.version());
    assertEquals(
        "9",
        assertThrows(
                UnknownRecordFormatException.class, () -> store.complete(key, 5, response("x")))
            .version());
    assertEquals(
        "9",
        assertThrows(UnknownRecordFormatException.class, () -> store.abandon(key, TOKEN))
            .version());
    assertEquals(
        "9", assertThrows(UnknownRecordFormatException.class, () -> store.find(key)).version());
    assertEquals("9P a record of a later format", raw.get(redisKey(key)));
  }

  @Test
  void theRecordIsOneStringInTheDocumentedLayoutWithANativeExpiry() {
    StorageKey key = newKey();
    long fence = fence(store.claim(key, fingerprint("a"), LEASE, RETENTION, TOKEN));
    store.checkpoint(key, fence, RecoveryPoint.of("charged", bytes("ch-1")));

    assertEquals("string", raw.type(redisKey(key)));
    byte[] inProgress = connection.sync().get(bytes(redisKey(key)));
    assertEquals("2P", ascii(inProgress, 0, 2));
    assertArrayEquals(fingerprint("a").toBytes(), Arrays.copyOfRange(inProgress, 2, 34));
    assertArrayEquals(TOKEN.toBytes(), Arrays.copyOfRange(inProgress, 34, 50));
    assertEquals(String.format("%016d", fence), ascii(inProgress, 50, 66));
    long leaseEnd = Long.parseLong(ascii(inProgress, 66, 82));
    assertEquals(String.format("%016d", RETENTION.toMillis()), ascii(inProgress, 82, 98));
    assertEquals("0007chargedch-1", ascii(inProgress, 98, inProgress.length));
    long expiry = raw.pexpiretime(redisKey(key));
    assertTrue(
        Math.abs(expiry - (leaseEnd - LEASE.toMillis() + RETENTION.toMillis())) <= 2,
        "IN_PROGRESS: claim time + retention, expiry " + expiry + ", lease end " + leaseEnd);

    store.complete(key, fence, response("done"));
    byte[] completed = connection.sync().get(bytes(redisKey(key)));
    assertEquals("2C", ascii(completed, 0, 2));
    assertArrayEquals(
        Arrays.copyOfRange(inProgress, 2, 98),
        Arrays.copyOfRange(completed, 2, 98),
        "the head stays, with the state");
    assertEquals("done", ascii(completed, 98, completed.length), "the recovery point goes");
    long ttl = raw.pttl(redisKey(key));
    assertTrue(ttl > RETENTION.toMillis() - 60_000 && ttl <= RETENTION.toMillis(), "TTL " + ttl);
  }

  // ---------------------------------------------------------------- format 1 (hashes) still read

  @Test
  void aCompletedFormatOneRecordIsFoundAndReplayedAndLeftAsItWas() {
    StorageKey key = newKey();
    long now = serverMillis();
    Map<String, byte[]> hash =
        formatOne("C", 1_700_000_000_000_123L, now - 1_000, now + 600_000, true);
    hash.put("resp", bytes("stored by format 1"));
    writeFormatOne(key, hash, now + 600_000);

    IdempotencyRecord found = store.find(key).orElseThrow();
    assertEquals(RecordState.COMPLETED, found.state());
    assertEquals(fingerprint("a"), found.fingerprint());
    assertEquals(1_700_000_000_000_123L, found.fence());
    assertEquals(now - 1_000, found.leaseExpiresAt().toEpochMilli());
    assertTrue(Math.abs(found.expiresAt().toEpochMilli() - (now + 600_000)) <= 2, found.toString());
    assertEquals(Optional.of(response("stored by format 1")), found.response());

    ClaimResult replay = store.claim(key, fingerprint("a"), LEASE, RETENTION);
    assertArrayEquals(
        bytes("stored by format 1"),
        assertInstanceOf(ClaimResult.Replay.class, replay).response().toBytes());
    assertInstanceOf(
        ClaimResult.Mismatch.class, store.claim(key, fingerprint("b"), LEASE, RETENTION));
    assertEquals(UpdateResult.FENCE_LOST, store.release(key, 1_700_000_000_000_123L));
    assertEquals("hash", raw.type(redisKey(key)), "reads never rewrite a record");
  }

  @Test
  void anInProgressFormatOneRecordIsFencedAndRewrittenInFormatTwoByItsNextWrite() {
    StorageKey key = newKey();
    long now = serverMillis();
    long fence = 1_700_000_000_000_456L;
    Map<String, byte[]> hash = formatOne("P", fence, now + 600_000, now + 600_000, true);
    hash.put("rp_name", bytes("charged"));
    hash.put("rp_state", bytes("ch-1"));
    writeFormatOne(key, hash, now + 600_000);

    IdempotencyRecord found = store.find(key).orElseThrow();
    assertEquals(RecordState.IN_PROGRESS, found.state());
    assertEquals(Optional.of(RecoveryPoint.of("charged", bytes("ch-1"))), found.recoveryPoint());
    assertInstanceOf(
        ClaimResult.InFlight.class, store.claim(key, fingerprint("a"), LEASE, RETENTION));
    assertEquals(UpdateResult.FENCE_LOST, store.complete(key, fence - 1, response("zombie")));
    assertEquals(UpdateResult.FENCE_LOST, store.abandon(key, ClaimToken.random()));
    assertEquals("hash", raw.type(redisKey(key)));

    assertEquals(UpdateResult.APPLIED, store.renew(key, fence, LEASE));
    assertEquals("string", raw.type(redisKey(key)), "renew wrote it in format 2");
    assertTrue(raw.pttl(redisKey(key)) > 500_000, "the expiry stays");
    assertEquals(
        Optional.of(RecoveryPoint.of("charged", bytes("ch-1"))),
        store.find(key).orElseThrow().recoveryPoint());
    assertEquals(UpdateResult.APPLIED, store.complete(key, fence, response("done")));
    assertEquals(
        Optional.of(response("done")), store.find(key).orElseThrow().response(), "completed");
  }

  @Test
  void anExpiredLeaseOfAFormatOneRecordIsTakenOverWithAHigherFenceAndItsRecoveryPoint() {
    StorageKey key = newKey();
    long now = serverMillis();
    long fence = 1_700_000_000_000_789L;
    Map<String, byte[]> hash = formatOne("P", fence, now - 1_000, now + 600_000, true);
    hash.put("rp_name", bytes("charged"));
    hash.put("rp_state", bytes("ch-1"));
    writeFormatOne(key, hash, now + 600_000);

    ClaimResult.Acquired takeover =
        assertInstanceOf(
            ClaimResult.Acquired.class,
            store.claim(key, fingerprint("a"), LEASE, RETENTION, TOKEN));

    assertTrue(takeover.takeover());
    assertTrue(takeover.fence() > fence, takeover.fence() + " must exceed " + fence);
    assertEquals(Optional.of(RecoveryPoint.of("charged", bytes("ch-1"))), takeover.recoveryPoint());
    assertEquals(UpdateResult.FENCE_LOST, store.complete(key, fence, response("zombie")));
    assertEquals(UpdateResult.APPLIED, store.abandon(key, TOKEN));
    assertEquals(Optional.empty(), store.find(key));
  }

  @Test
  void aFormatOneRecordFromBeforeClaimTokensIsNeverAbandonedButIsReleasedByItsFence() {
    StorageKey key = newKey();
    long now = serverMillis();
    long fence = 1_700_000_000_001_000L;
    writeFormatOne(key, formatOne("P", fence, now + 600_000, now + 600_000, false), now + 600_000);

    assertEquals(
        UpdateResult.FENCE_LOST, store.abandon(key, ClaimToken.of(new byte[ClaimToken.LENGTH])));
    assertEquals(UpdateResult.APPLIED, store.release(key, fence));
    assertEquals(Optional.empty(), store.find(key));
  }

  @Test
  void aFormatOneRecordLackingAFieldIsUnreadableNotAnOutage() {
    StorageKey key = newKey();
    long now = serverMillis();
    Map<String, byte[]> hash = formatOne("P", 1, now + 600_000, now + 600_000, true);
    hash.remove("lease_until");
    writeFormatOne(key, hash, now + 600_000);

    StoredRecordUnreadableException unreadable =
        assertThrows(
            StoredRecordUnreadableException.class,
            () -> store.claim(key, fingerprint("a"), LEASE, RETENTION));
    assertTrue(unreadable.getMessage().contains(redisKey(key)), unreadable.getMessage());
    assertThrows(StoredRecordUnreadableException.class, () -> store.find(key));
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
    assertEquals(
        1, afterFind.roundTripsSince(afterReplay), "find: " + afterFind.since(afterReplay));
    assertEquals(1L, afterFind.since(afterReplay).get("evalsha"));
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
    // The expiry is the key's own (PTTL, relative to the server's TIME), so it may differ from
    // claim time + retention by the millisecond the two clocks' readings straddle.
    long retention =
        Duration.between(inProgress.leaseExpiresAt(), inProgress.expiresAt())
            .plus(LEASE)
            .toMillis();
    assertTrue(Math.abs(retention - RETENTION.toMillis()) <= 2, "retention " + retention);
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

  private static final ClaimToken TOKEN = ClaimToken.of(bytes("0123456789abcdef"));

  /** The fields of a format-1 record as the scripts of format 1 wrote them. */
  private static Map<String, byte[]> formatOne(
      String state, long fence, long leaseUntil, long expires, boolean withToken) {
    Map<String, byte[]> hash = new java.util.HashMap<>();
    hash.put("v", bytes("1"));
    hash.put("state", bytes(state));
    hash.put("fp", fingerprint("a").toBytes());
    if (withToken) {
      hash.put("tok", TOKEN.toBytes());
    }
    hash.put("fence", bytes(Long.toString(fence)));
    hash.put("lease_until", bytes(Long.toString(leaseUntil)));
    hash.put("exp", bytes(Long.toString(expires)));
    hash.put("ret", bytes(Long.toString(RETENTION.toMillis())));
    return hash;
  }

  /** Writes a format-1 record raw: its hash and its PEXPIREAT. */
  private void writeFormatOne(StorageKey key, Map<String, byte[]> fields, long expires) {
    byte[] redisKey = bytes(redisKey(key));
    fields.forEach((name, value) -> connection.sync().hset(redisKey, bytes(name), value));
    connection.sync().pexpireat(redisKey, expires);
  }

  private static long serverMillis() {
    List<String> time = raw.time();
    return Long.parseLong(time.get(0)) * 1_000 + Long.parseLong(time.get(1)) / 1_000;
  }

  private static String ascii(byte[] bytes, int from, int to) {
    return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
  }

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
