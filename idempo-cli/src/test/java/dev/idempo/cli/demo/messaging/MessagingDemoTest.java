package dev.idempo.cli.demo.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessagingDemoTest {

  /**
   * The whole demo on a real broker, with few orders: the naive pipeline loses the event of the
   * order whose service died before publishing and charges twice at least for every lost ack; the
   * Idempo pipeline, under the same faults, charges every order exactly once although it really did
   * resend and redeliver.
   */
  @Test
  void naivePipelineLosesAndDuplicatesChargesAndIdempoPipelineChargesEachOrderOnce() {
    MessagingDemo demo = MessagingDemo.builder().orders(100).seed(11).build();
    Chaos chaos = Chaos.plan(100, 11);

    MessagingDemo.Outcome outcome = demo.run();

    MessagingReport naive = outcome.naive();
    MessagingReport idempo = outcome.idempo();
    String table = outcome.table();
    assertEquals(chaos.serviceCrashes().size(), naive.missingCharges(), table);
    assertTrue(naive.duplicateCharges() >= chaos.lostAcks().size() + 1, table);
    assertEquals(
        100 - chaos.serviceCrashes().size() + chaos.lostAcks().size(), naive.messagesSent(), table);
    assertEquals(chaos.consumerKills().size(), naive.consumersKilled(), table);

    assertEquals(0, idempo.duplicateCharges(), table);
    assertEquals(0, idempo.missingCharges(), table);
    assertEquals(100, idempo.chargesRecorded(), table);
    assertTrue(idempo.exact(), table);
    // The faults really hit the Idempo pipeline: resends reached the topic, a consumer was
    // killed, and the duplicates were acknowledged without charging.
    assertTrue(
        idempo.messagesSent() >= 100 + chaos.lostAcks().size() + chaos.relayKills().size(), table);
    assertEquals(chaos.consumerKills().size(), idempo.consumersKilled(), table);
    assertTrue(idempo.duplicatesSkipped() >= chaos.lostAcks().size(), table);
    assertTrue(table.contains("With Idempo every order was charged exactly once."), table);
  }

  @Test
  void theFaultsAreDrawnFromTheSeedOnDisjointOrders() {
    Chaos chaos = Chaos.plan(500, 42);

    assertEquals(chaos, Chaos.plan(500, 42));
    assertEquals(5, chaos.serviceCrashes().size());
    assertEquals(25, chaos.lostAcks().size());
    assertEquals(2, chaos.relayKills().size());
    assertEquals(3, chaos.consumerKills().size());
    Set<Integer> all = new HashSet<>();
    all.addAll(chaos.serviceCrashes());
    all.addAll(chaos.lostAcks());
    all.addAll(chaos.relayKills());
    all.addAll(chaos.consumerKills());
    assertEquals(35, all.size());
    assertTrue(all.stream().allMatch(order -> order >= 0 && order < 500));
  }

  @Test
  void badSettingsAreRejectedByName() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> MessagingDemo.builder().orders(5))
            .getMessage()
            .contains("orders"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> MessagingDemo.builder().consumers(0))
            .getMessage()
            .contains("consumers"));
  }
}
