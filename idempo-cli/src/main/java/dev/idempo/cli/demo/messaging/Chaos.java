package dev.idempo.cli.demo.messaging;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which orders meet which fault, drawn once from the seed so that both pipelines see the same
 * traffic and the same faults. The four sets are disjoint. Immutable.
 *
 * @param serviceCrashes the order service dies right after committing the order, before it
 *     publishes (a plain service loses the event; with an outbox the event committed with it)
 * @param lostAcks the broker's acknowledgement of the order's event is lost, and the producer
 *     resends the event with the same event id
 * @param relayKills the outbox relay is killed after publishing the order's event and before
 *     marking it published
 * @param consumerKills the payments consumer is killed after charging the order and before it
 *     commits the record's offset; another consumer takes over its partitions
 */
record Chaos(
    Set<Integer> serviceCrashes,
    Set<Integer> lostAcks,
    Set<Integer> relayKills,
    Set<Integer> consumerKills) {

  Chaos {
    serviceCrashes = Collections.unmodifiableSet(new TreeSet<>(serviceCrashes));
    lostAcks = Collections.unmodifiableSet(new TreeSet<>(lostAcks));
    relayKills = Collections.unmodifiableSet(new TreeSet<>(relayKills));
    consumerKills = Collections.unmodifiableSet(new TreeSet<>(consumerKills));
  }

  /**
   * The faults for {@code orders} orders: one service crash per 100 orders, one lost ack per 20,
   * one relay kill per 200 and one consumer kill per 150 (at least one of each, at most three
   * consumer kills), on orders drawn with {@code seed}.
   */
  static Chaos plan(int orders, long seed) {
    List<Integer> shuffled = new ArrayList<>(orders);
    for (int order = 0; order < orders; order++) {
      shuffled.add(order);
    }
    Collections.shuffle(shuffled, new Random(seed));
    int serviceCrashes = Math.max(1, orders / 100);
    int lostAcks = Math.max(1, orders / 20);
    int relayKills = Math.max(1, orders / 200);
    int consumerKills = Math.max(1, Math.min(3, orders / 150));
    int from = 0;
    List<Integer> crashes = shuffled.subList(from, from += serviceCrashes);
    List<Integer> acks = shuffled.subList(from, from += lostAcks);
    List<Integer> relays = shuffled.subList(from, from += relayKills);
    List<Integer> consumers = shuffled.subList(from, from + consumerKills);
    return new Chaos(
        Set.copyOf(crashes), Set.copyOf(acks), Set.copyOf(relays), Set.copyOf(consumers));
  }
}
