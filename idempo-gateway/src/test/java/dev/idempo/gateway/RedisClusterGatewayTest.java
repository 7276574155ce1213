package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.testsupport.RedisCluster;
import dev.idempo.testsupport.RedisClusterExtension;
import dev.idempo.testsupport.RedisClusterNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code --store redis-cluster://...}: parsing, two gateways on one real Redis Cluster under a
 * same-key storm, and what callers see while a master is SIGKILLed and its replica promoted.
 */
@ExtendWith(RedisClusterExtension.class)
class RedisClusterGatewayTest {
  private static final int DUPLICATES = 50;

  private TestUpstream upstream;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
  }

  @AfterEach
  void stopUpstream() {
    upstream.close();
  }

  @Test
  void clusterLocationsNameTheirSeedsAndHideTheirPassword() {
    StoreLocation location = StoreLocation.parse("redis-cluster://10.0.0.1:7000,10.0.0.2:7001");
    assertEquals(StoreLocation.Kind.REDIS_CLUSTER, location.kind());
    assertTrue(location.isShared());
    assertEquals(
        List.of("redis://10.0.0.1:7000", "redis://10.0.0.2:7001"), location.clusterSeeds());

    StoreLocation secret = StoreLocation.parse("rediss-cluster://:s3cret@cache:7000,cache2:7000");
    assertEquals("rediss-cluster://***@cache:7000,cache2:7000", secret.toString());
    assertEquals(
        List.of("rediss://:s3cret@cache:7000", "rediss://:s3cret@cache2:7000"),
        secret.clusterSeeds());
  }

  @Test
  void badClusterLocationsAreRefusedNamingTheBadSeed() {
    for (String bad :
        new String[] {
          "redis-cluster://",
          "redis-cluster://h1:7000,",
          "redis-cluster://h1",
          "redis-cluster://h1:0",
          "redis-cluster://h1:70000",
          "redis-cluster://:7000",
          "redis-cluster://h:1/2"
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> StoreLocation.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("store " + bad), e.getMessage());
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> StoreLocation.parse("redis-cluster://:pw@h1:x"));
    assertFalse(e.getMessage().contains("pw"), e.getMessage());
  }

  @Test
  void twoGatewaysOnOneClusterRunADuplicateStormOnce(RedisCluster cluster) throws Exception {
    StoreLocation store = StoreLocation.parse("redis-cluster://" + cluster.seeds());
    try (Gateway a = start(store);
        Gateway b = start(store)) {
      List<Requests> gateways = List.of(new Requests(a.uri()), new Requests(b.uri()));
      String key = "cluster-storm-" + UUID.randomUUID();
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < DUPLICATES; i++) {
        answers.add(gateways.get(i % 2).postAsync("/slow/200", key, "{\"amount\":42}"));
      }
      Map<String, Integer> outcomes = new TreeMap<>();
      for (CompletableFuture<HttpResponse<String>> answer : answers) {
        HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
        boolean replayed = response.headers().firstValue("Idempotent-Replayed").isPresent();
        outcomes.merge(response.statusCode() + (replayed ? " replayed" : ""), 1, Integer::sum);
        if (response.statusCode() != 201) {
          GatewayTest.assertProblem(response, 409, "key-in-flight");
        }
      }
      System.out.println(
          "two gateways on a Redis Cluster, " + DUPLICATES + " duplicates: " + outcomes);
      assertEquals(1, upstream.executions(), outcomes.toString());
      assertEquals(1, outcomes.getOrDefault("201", 0), outcomes.toString());
      // Afterwards both gateways replay it.
      for (Requests gateway : gateways) {
        HttpResponse<String> replay = gateway.post("/slow/200", key, "{\"amount\":42}");
        assertEquals(201, replay.statusCode());
        assertTrue(replay.headers().firstValue("Idempotent-Replayed").isPresent());
      }
      assertEquals(1, upstream.executions());
    }
  }

  /**
   * Completed keys are replicated, then a master is SIGKILLed while requests keep coming. Until its
   * replica is promoted and the gateway's client sees the new topology, requests whose keys live on
   * that master's slots get 503 store-unavailable (never a run without a claim); no completed,
   * replicated key runs again afterwards.
   */
  @Test
  void killingAMasterMidTrafficGives503UntilItsReplicaTakesOverAndNeverRunsACompletedKeyAgain()
      throws Exception {
    try (RedisCluster cluster = RedisCluster.start();
        Gateway gateway = start(StoreLocation.parse("redis-cluster://" + cluster.seeds()))) {
      Requests requests = new Requests(gateway.uri());
      List<String> completed = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        String key = "before-" + i;
        assertEquals(201, requests.post("/orders", key, body(key)).statusCode());
        completed.add(key);
      }
      RedisClusterNode victim = cluster.masterOf(0).orElseThrow();
      awaitReplicated(cluster);

      Map<String, Integer> outcomes = new TreeMap<>();
      List<String> answeredDuringFailover = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      int sent = 0;
      boolean killed = false;
      boolean recovered = false;
      while (!recovered && System.nanoTime() - deadline < 0) {
        if (sent == 20) {
          victim.kill(); // SIGKILL, like a crash, with requests before and after
          killed = true;
        }
        String key = "during-" + sent;
        String retried = completed.get(sent % completed.size());
        HttpResponse<String> fresh = requests.post("/orders", key, body(key));
        HttpResponse<String> retry = requests.post("/orders", retried, body(retried));
        sent++;
        for (HttpResponse<String> response : List.of(fresh, retry)) {
          boolean replayed = response.headers().firstValue("Idempotent-Replayed").isPresent();
          outcomes.merge(response.statusCode() + (replayed ? " replayed" : ""), 1, Integer::sum);
          if (response.statusCode() != 201) {
            GatewayTest.assertProblem(response, 503, "store-unavailable");
          }
        }
        if (fresh.statusCode() == 201) {
          answeredDuringFailover.add(key);
        }
        // Recovered: the cluster is whole again and a full round over every earlier key answers.
        if (killed && outcomes.getOrDefault("503", 0) > 0 && sent % completed.size() == 0) {
          recovered = completed.stream().allMatch(k -> status(requests, k) == 201);
        }
      }
      System.out.println("a master killed mid-traffic: " + outcomes + " over " + sent + " rounds");
      assertTrue(recovered, "the gateway answered again after the failover: " + outcomes);
      assertTrue(
          outcomes.getOrDefault("503", 0) > 0,
          "the killed master's slots were unavailable: " + outcomes);

      Map<String, Long> runs =
          upstream.received().stream()
              .map(received -> new String(received.body(), StandardCharsets.UTF_8))
              .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
      for (String key : completed) {
        assertEquals(
            1L, runs.get(body(key)), key + " was completed and replicated before the kill");
      }
      long ranTwice =
          answeredDuringFailover.stream().filter(k -> runs.getOrDefault(body(k), 0L) > 1).count();
      System.out.println("keys first answered around the kill that ran again: " + ranTwice);
    }
  }

  private static int status(Requests requests, String key) {
    try {
      return requests.post("/orders", key, body(key)).statusCode();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Polls every master's ROLE until each replica's offset has reached its master's. */
  private static void awaitReplicated(RedisCluster cluster) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() - deadline < 0) {
      boolean synced =
          cluster.nodes().stream()
              .allMatch(
                  node -> {
                    String[] role = node.call("ROLE").split("\n", -1);
                    return !role[0].equals("master")
                        || (role.length == 5 && role[1].equals(role[4]));
                  });
      if (synced) {
        return;
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("replicas did not catch up within 30 s");
  }

  private static String body(String key) {
    return "{\"key\":\"" + key + "\"}";
  }

  private Gateway start(StoreLocation store) {
    Gateway gateway =
        new Gateway(
            TestEngine.builder(upstream.uri()).listen("127.0.0.1", 0).storeLocation(store).build());
    gateway.start();
    return gateway;
  }
}
