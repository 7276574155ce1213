package dev.idempo.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RedisClusterExtension.class)
class RedisClusterTest {

  @Test
  void sixNodesFormAHealthyClusterOfThreeMastersWithOneReplicaEach(RedisCluster cluster) {
    assertEquals(6, cluster.nodes().size());
    long masters =
        cluster.nodes().stream().filter(node -> node.call("ROLE").startsWith("master")).count();
    assertEquals(3, masters);
    for (RedisClusterNode node : cluster.nodes()) {
      String info = node.call("CLUSTER", "INFO");
      assertTrue(info.contains("cluster_state:ok"), info);
      assertTrue(info.contains("cluster_known_nodes:6"), info);
      assertTrue(info.contains("cluster_slots_assigned:16384"), info);
      assertTrue(
          Files.exists(
              Path.of(node.call("CONFIG", "GET", "dir").split("\n", -1)[1], "nodes.conf")));
    }
    assertEquals(6, cluster.seeds().split(",").length);
  }

  @Test
  void aKeyIsWrittenOnTheMasterOfItsSlotAndRedirectedElsewhere(RedisCluster cluster) {
    int slot = Integer.parseInt(cluster.nodes().get(0).call("CLUSTER", "KEYSLOT", "{tag}k"));
    RedisClusterNode master = cluster.masterOf(slot).orElseThrow();

    assertEquals("OK", master.call("SET", "{tag}k", "v"));
    RedisClusterNode other =
        cluster.nodes().stream()
            .filter(node -> node != master && node.call("ROLE").startsWith("master"))
            .findFirst()
            .orElseThrow();
    assertTrue(
        other.call("GET", "{tag}k").startsWith("-MOVED " + slot + " "), "another master redirects");
  }

  @Test
  void aKilledMastersReplicaIsPromotedAndStopDeletesEverything() {
    Path directory;
    try (RedisCluster cluster = RedisCluster.start()) {
      RedisClusterNode first = cluster.nodes().get(0);
      directory = Path.of(first.call("CONFIG", "GET", "dir").split("\n", -1)[1]).getParent();
      int slot = 0;
      RedisClusterNode master = cluster.masterOf(slot).orElseThrow();

      master.kill();
      cluster.awaitHealthy(Duration.ofSeconds(30));

      RedisClusterNode promoted = cluster.masterOf(slot).orElseThrow();
      assertNotEquals(master.port(), promoted.port());
      assertFalse(master.isRunning());
      assertTrue(promoted.call("ROLE").startsWith("master"));
    }
    assertFalse(Files.exists(directory), directory + " is deleted");
  }

  @Test
  void theSharedClusterCannotBeStopped(RedisCluster cluster) {
    assertThrows(IllegalStateException.class, cluster::stop);
  }
}
