package dev.idempo.redis;

import static dev.idempo.redis.RedisIdempotencyStoreTest.acquire;
import static dev.idempo.redis.RedisIdempotencyStoreTest.fingerprint;
import static dev.idempo.redis.RedisIdempotencyStoreTest.newKey;
import static dev.idempo.redis.RedisIdempotencyStoreTest.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.ClaimResult;
import dev.idempo.store.StorageKey;
import dev.idempo.store.UpdateResult;
import dev.idempo.testsupport.RedisCluster;
import dev.idempo.testsupport.RedisClusterExtension;
import dev.idempo.testsupport.RedisClusterNode;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The store on a real Redis Cluster: routing, one key per script, WAIT on the key's master. */
@ExtendWith(RedisClusterExtension.class)
class RedisClusterStoreTest {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration RETENTION = Duration.ofMinutes(10);
  private static final Pattern REDIS_CALL =
      Pattern.compile("redis\\.p?call\\('([A-Z]+)'(?:, *([^,)]+))?");

  private static RedisClusterClient client;

  @BeforeAll
  static void connect(RedisCluster cluster) {
    client = RedisClusterStoreContractTest.clusterClient(cluster);
  }

  @AfterAll
  static void disconnect() {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  @Test
  void everyScriptTouchesOnlyItsOneDeclaredKey() throws IOException {
    for (String name :
        List.of(
            "record", "claim", "complete", "release", "renew", "checkpoint", "abandon", "find")) {
      String source;
      try (InputStream in = RecordScript.class.getResourceAsStream(name + ".lua")) {
        source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      assertTrue(!source.contains("KEYS[2]"), name + ".lua declares a second key");
      Matcher call = REDIS_CALL.matcher(source);
      int calls = 0;
      while (call.find()) {
        calls++;
        if (!call.group(1).equals("TIME")) {
          assertEquals("key", call.group(2).trim(), name + ".lua: " + call.group());
        }
      }
      assertTrue(calls > 0, name + ".lua: no redis.call found; the pattern is out of date");
    }
  }

  @Test
  void recordsSpreadOverEveryMasterAndEachLivesOnTheMasterOfItsSlot(RedisCluster cluster) {
    try (RedisIdempotencyStore store =
        RedisIdempotencyStore.builder(client).keyPrefix("spread:").build()) {
      Set<Integer> masters = new HashSet<>();
      for (int i = 0; i < 30; i++) {
        StorageKey key = newKey();
        assertEquals(
            UpdateResult.APPLIED, store.complete(key, acquire(store, key), response("r" + i)));
        String redisKey = new String(store.recordKey(key), StandardCharsets.UTF_8);
        RedisClusterNode master =
            cluster.masterOf(SlotHash.getSlot(store.recordKey(key))).orElseThrow();
        assertEquals(
            "C",
            master.call("GETRANGE", redisKey, "1", "1"),
            "the record (its state byte) is on its slot's master");
        masters.add(master.port());
        assertInstanceOf(
            ClaimResult.Replay.class, store.claim(key, fingerprint("a"), LEASE, RETENTION));
      }
      assertEquals(3, masters.size(), "30 random keys land on all three masters");
      assertEquals(java.util.Optional.of("noeviction"), store.maxmemoryPolicy());
    }
  }

  @Test
  void waitForReplicasRunsWaitOnTheMasterOfTheKeysSlotAndItsReplicaAcknowledges(
      RedisCluster cluster) {
    try (RedisIdempotencyStore store =
        RedisIdempotencyStore.builder(client)
            .keyPrefix("wait:")
            .waitForReplicas(1, Duration.ofSeconds(2))
            .build()) {
      // Eight keys: a WAIT sent anywhere but the key's master would miss it for most of them.
      for (int i = 0; i < 8; i++) {
        StorageKey key = newKey();
        RedisClusterNode master =
            cluster.masterOf(SlotHash.getSlot(store.recordKey(key))).orElseThrow();
        long waitsBefore = waits(master);

        long fence = acquire(store, key);
        assertEquals(UpdateResult.APPLIED, store.complete(key, fence, response("done")));

        assertEquals(
            2, waits(master) - waitsBefore, "one WAIT after the claim, one after the complete");
        assertInstanceOf(
            ClaimResult.Replay.class, store.claim(key, fingerprint("a"), LEASE, RETENTION));
      }
    }
  }

  /** Calls of WAIT the node has answered, from INFO commandstats. */
  static long waits(RedisClusterNode node) {
    for (String line : node.call("INFO", "commandstats").split("\r?\n", -1)) {
      if (line.startsWith("cmdstat_wait:calls=")) {
        return Long.parseLong(line.substring("cmdstat_wait:calls=".length(), line.indexOf(',')));
      }
    }
    return 0;
  }
}
