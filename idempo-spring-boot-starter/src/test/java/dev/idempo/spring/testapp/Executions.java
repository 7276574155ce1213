package dev.idempo.spring.testapp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** How often each handler ran, by a label the handler picks; what the tests count effects with. */
public final class Executions {
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  /** Records one run of {@code label}; answers how many runs there were, this one included. */
  public int record(String label) {
    return counts.computeIfAbsent(label, l -> new AtomicInteger()).incrementAndGet();
  }

  public int count(String label) {
    AtomicInteger count = counts.get(label);
    return count == null ? 0 : count.get();
  }
}
