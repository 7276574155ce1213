package dev.idempo.cli.demo;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The payments service's own record of every charge it made: the demo counts from here.
 * Thread-safe.
 */
final class Ledger {
  private final AtomicLong ids = new AtomicLong();
  private final Map<Integer, List<String>> chargesByOrder = new ConcurrentHashMap<>();

  /** Records a charge for {@code order} and answers its id. */
  String append(int order) {
    String id = "ch_" + ids.incrementAndGet();
    chargesByOrder.computeIfAbsent(order, o -> new CopyOnWriteArrayList<>()).add(id);
    return id;
  }

  List<String> chargesOf(int order) {
    return chargesByOrder.getOrDefault(order, List.of());
  }

  long size() {
    return ids.get();
  }
}
