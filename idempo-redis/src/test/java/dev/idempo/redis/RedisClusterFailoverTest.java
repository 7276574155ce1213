package dev.idempo.redis;

import static dev.idempo.redis.RedisIdempotencyStoreTest.fingerprint;
import static dev.idempo.redis.RedisIdempotencyStoreTest.newKey;
import static dev.idempo.redis.RedisIdempotencyStoreTest.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.ClaimResult;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.store.UpdateResult;
import dev.idempo.testsupport.RedisCluster;
import dev.idempo.testsupport.RedisClusterNode;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A master SIGKILLed under load on a real six-node cluster. Every call on its slots fails with
 * {@link StoreUnavailableException} until its replica is promoted and the client follows (never a
 * claim that acquires twice); with {@code waitForReplicas(1)}, every completion the store
 * acknowledged before the kill is still there afterwards, because the replica that acknowledged it
 * is the one promoted (and new requests on those slots fail until the killed node, restarted,
 * rejoins as the promoted master's replica). Without {@code WAIT}, completions acknowledged in the
 * last moments before the kill may be lost: that count is printed, not asserted (asynchronous
 * replication). About 25 s (a cluster start and two failovers), so under the stress tag.
 */
@Tag("stress")
class RedisClusterFailoverTest {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration RETENTION = Duration.ofMinutes(10);
  private static final int CALLERS = 8;

  @Test
  void aKilledMasterMakesItsSlotsUnavailableUntilFailoverAndWaitKeepsEveryAcknowledgedCompletion()
      throws Exception {
    try (RedisCluster cluster = RedisCluster.start()) {
      RedisClusterClient client =
          RedisClusterClient.create(cluster.uris().stream().map(RedisURI::create).toList());
      client.setOptions(
          ClusterClientOptions.builder()
              .topologyRefreshOptions(
                  ClusterTopologyRefreshOptions.builder()
                      .enableAllAdaptiveRefreshTriggers()
                      .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                      .enablePeriodicRefresh(Duration.ofSeconds(2))
                      .build())
              .build());
      try (RedisIdempotencyStore plain =
              RedisIdempotencyStore.builder(client)
                  .keyPrefix("failover:")
                  .commandTimeout(Duration.ofSeconds(1))
                  .build();
          RedisIdempotencyStore waiting =
              RedisIdempotencyStore.builder(client)
                  .keyPrefix("failover-wait:")
                  .commandTimeout(Duration.ofSeconds(1))
                  .waitForReplicas(1, Duration.ofSeconds(1))
                  .build()) {
        Outcome withoutWait = killUnderLoad(cluster, client, plain, 0, false);
        System.out.println("master killed, no WAIT: " + withoutWait);
        Outcome withWait = killUnderLoad(cluster, client, waiting, 16383, true);
        System.out.println("master killed, WAIT 1: " + withWait);

        for (Outcome outcome : List.of(withoutWait, withWait)) {
          assertTrue(
              outcome.unavailable.get() > 0, "calls on the dead master's slots failed: " + outcome);
          assertEquals(0, outcome.unexpected.get(), "only StoreUnavailableException: " + outcome);
          assertTrue(outcome.acknowledged.size() > 0, outcome.toString());
        }
        assertEquals(
            0, withWait.lost, "WAIT 1: every acknowledged completion survived: " + withWait);
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  /** What callers saw around one kill. */
  private static final class Outcome {
    final Map<StorageKey, Boolean> acknowledged = new ConcurrentHashMap<>(); // true: on the victim
    final AtomicInteger unavailable = new AtomicInteger();
    final AtomicInteger unexpected = new AtomicInteger();
    int lost;
    int lostOnVictim;

    @Override
    public String toString() {
      long onVictim = acknowledged.values().stream().filter(v -> v).count();
      return "acknowledged completions "
          + acknowledged.size()
          + " ("
          + onVictim
          + " on the killed"
          + " master's slots), StoreUnavailableException "
          + unavailable
          + ", other errors "
          + unexpected
          + ", acknowledged completions lost "
          + lost
          + " ("
          + lostOnVictim
          + " on the killed master's slots)";
    }
  }

  /**
   * Callers run new requests; the master of {@code slot} is SIGKILLed once they are under way, and
   * restarted (it rejoins as the replica of the master that replaced it) once its replica is
   * promoted: before the load stops if {@code waitForReplicas} (a promoted master has no replica of
   * its own, so WAIT 1 fails until one is back), after it otherwise.
   */
  private static Outcome killUnderLoad(
      RedisCluster cluster,
      RedisClusterClient client,
      RedisIdempotencyStore store,
      int slot,
      boolean waitForReplicas)
      throws Exception {
    Outcome outcome = new Outcome();
    RedisClusterNode victim = cluster.masterOf(slot).orElseThrow();
    boolean[] victimSlots = new boolean[SlotHash.SLOT_COUNT];
    client.refreshPartitions();
    for (io.lettuce.core.cluster.models.partitions.RedisClusterNode node : client.getPartitions()) {
      if (node.getUri().getPort() == victim.port()) {
        node.getSlots().forEach(s -> victimSlots[s] = true);
      }
    }
    AtomicBoolean killed = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch underWay = new CountDownLatch(CALLERS * 20);
    CountDownLatch followed = new CountDownLatch(1);
    List<Thread> callers = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      Thread caller =
          new Thread(
              () -> {
                while (!stop.get()) {
                  StorageKey key = newKey();
                  boolean afterKill = killed.get();
                  boolean onVictim = victimSlots[SlotHash.getSlot(store.recordKey(key))];
                  try {
                    ClaimResult claim = store.claim(key, fingerprint("a"), LEASE, RETENTION);
                    long fence = ((ClaimResult.Acquired) claim).fence();
                    if (store.complete(key, fence, response("done")) == UpdateResult.APPLIED) {
                      outcome.acknowledged.put(key, onVictim);
                      if (afterKill && onVictim) {
                        followed.countDown();
                      }
                    }
                  } catch (StoreUnavailableException e) {
                    outcome.unavailable.incrementAndGet();
                  } catch (RuntimeException e) {
                    outcome.unexpected.incrementAndGet();
                    e.printStackTrace();
                  }
                  underWay.countDown();
                }
              },
              "caller-" + i);
      callers.add(caller);
      caller.start();
    }
    assertTrue(underWay.await(30, TimeUnit.SECONDS), "callers got under way");
    victim.kill();
    killed.set(true);
    cluster.awaitHealthy(Duration.ofSeconds(30)); // three masters again: the replica was promoted
    if (waitForReplicas) {
      victim.restart();
      cluster.awaitHealthy(Duration.ofSeconds(30));
    }
    // The load goes on until a new request on the dead master's slots succeeds: the replica was
    // promoted and the client follows it.
    boolean recovered = followed.await(30, TimeUnit.SECONDS);
    stop.set(true);
    for (Thread caller : callers) {
      caller.join(10_000);
    }
    assertTrue(
        recovered,
        "new requests on the killed master's slots succeeded again: "
            + outcome
            + "; the cluster says slot "
            + slot
            + " is on "
            + cluster.masterOf(slot).map(RedisClusterNode::port)
            + ", the client says "
            + client.getPartitions().getMasterBySlot(slot).getUri()
            + ", the victim was "
            + victim.port());
    if (!waitForReplicas) {
      victim.restart();
      cluster.awaitHealthy(Duration.ofSeconds(30));
    }
    for (Map.Entry<StorageKey, Boolean> entry : outcome.acknowledged.entrySet()) {
      if (store.find(entry.getKey()).isEmpty()) {
        outcome.lost++;
        if (entry.getValue()) {
          outcome.lostOnVictim++;
        }
      }
    }
    return outcome;
  }
}
