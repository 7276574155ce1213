package dev.idempo.spring.webhookapp;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/** How many times each handler ran for each event id. Thread-safe. */
@Component
public class WebhookRuns {
  private final ConcurrentHashMap<String, AtomicInteger> runs = new ConcurrentHashMap<>();

  void record(String event) {
    runs.computeIfAbsent(event, e -> new AtomicInteger()).incrementAndGet();
  }

  public int of(String event) {
    AtomicInteger count = runs.get(event);
    return count == null ? 0 : count.get();
  }
}
