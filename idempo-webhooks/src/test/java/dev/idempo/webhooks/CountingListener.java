package dev.idempo.webhooks;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts listener calls by name, e.g. {@code refused:webhook-signature-mismatch}. */
final class CountingListener implements WebhookListener {
  final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  int count(String name) {
    AtomicInteger count = counts.get(name);
    return count == null ? 0 : count.get();
  }

  private void add(String name) {
    counts.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
  }

  @Override
  public void onVerified(String endpoint, String provider) {
    add("verified");
  }

  @Override
  public void onRefused(String endpoint, String provider, RefusalReason reason) {
    add("refused:" + reason.slug());
  }

  @Override
  public void onDuplicate(String endpoint, String provider, boolean inFlight) {
    add(inFlight ? "duplicate-in-flight" : "duplicate");
  }

  @Override
  public void onHandled(String endpoint, String provider) {
    add("handled");
  }

  @Override
  public void onHandlerFailure(String endpoint, String provider, Throwable failure) {
    add("handler-failure");
  }

  @Override
  public void onStoreFailure(String endpoint, String provider, RuntimeException failure) {
    add("store-failure");
  }
}
