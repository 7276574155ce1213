package dev.idempo.cli.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fleet of well-behaved clients on a bad network, over real HTTP: each logical charge gets one
 * Idempotency-Key, reused on every retry. The network is simulated at the client's edge, where its
 * effects show: a response the server sent may be lost (the client sees a timeout and retries), a
 * request may be delivered twice (a second copy goes out at once), and a user may double-click (two
 * submissions of the same charge at the same time).
 *
 * <p>Every random choice is seeded per charge, so two runs with one seed send the same traffic.
 */
final class LossyClients {
  private static final Pattern CHARGE_ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
  private static final int MAX_ATTEMPTS = 30;

  private final DoubleChargeDemo settings;
  private final HttpClient http;

  LossyClients(DoubleChargeDemo settings) {
    this.settings = settings;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /** What the clients saw: requests sent, and per charge the charge id each submission was told. */
  record Traffic(long requestsSent, List<List<String>> answers) {}

  Traffic run(URI target) throws InterruptedException {
    AtomicLong requests = new AtomicLong();
    ExecutorService clients = Executors.newFixedThreadPool(settings.clients());
    ExecutorService network = Executors.newCachedThreadPool();
    try {
      List<CompletableFuture<List<String>>> charges = new ArrayList<>();
      for (int order = 0; order < settings.charges(); order++) {
        int o = order;
        charges.add(
            CompletableFuture.supplyAsync(() -> charge(target, o, requests, network), clients));
      }
      List<List<String>> answers = new ArrayList<>();
      for (CompletableFuture<List<String>> charge : charges) {
        answers.add(charge.join());
      }
      network.shutdown(); // duplicate deliveries still in flight land in the ledger: wait for them
      if (!network.awaitTermination(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("duplicate deliveries did not finish within 30 s");
      }
      return new Traffic(requests.get(), answers);
    } finally {
      clients.shutdownNow();
      network.shutdownNow();
    }
  }

  private List<String> charge(URI target, int order, AtomicLong requests, ExecutorService network) {
    Random random = new Random(settings.seed() * 31 + order);
    String key = new UUID(random.nextLong(), random.nextLong()).toString();
    boolean doubleClick = random.nextDouble() < settings.doubleClicks();
    CompletableFuture<String> second =
        doubleClick
            ? CompletableFuture.supplyAsync(
                () -> submit(target, order, key, 1, requests, network), network)
            : null;
    List<String> answers = new ArrayList<>();
    answers.add(submit(target, order, key, 0, requests, network));
    if (second != null) {
      answers.add(second.join());
    }
    return answers;
  }

  /** One submission: retries with the same key until it gets its charge back. */
  private String submit(
      URI target, int order, String key, int click, AtomicLong requests, ExecutorService network) {
    Random random = new Random(settings.seed() * 977 + order * 7L + click);
    HttpRequest request =
        HttpRequest.newBuilder(target.resolve("/charges"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            // Each client authenticates with its own API token, which is the gateway's tenant.
            .header("Authorization", "Bearer demo-client-" + (order % settings.clients()))
            .POST(HttpRequest.BodyPublishers.ofString("{\"order\":" + order + ",\"amount\":1000}"))
            .build();
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      requests.incrementAndGet();
      if (random.nextDouble() < settings.duplicateDelivery()) {
        requests.incrementAndGet();
        network.execute(() -> sendQuietly(request));
      }
      boolean lost = random.nextDouble() < settings.responseLoss();
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        Matcher id = CHARGE_ID.matcher(response.body());
        if (!lost && response.statusCode() / 100 == 2 && id.find()) {
          return id.group(1);
        }
      } catch (IOException e) {
        // like a lost response: try again with the same key
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      backOff(random, attempt);
    }
    return null;
  }

  private void sendQuietly(HttpRequest request) {
    try {
      http.send(request, HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // a duplicate nobody waits for
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Full jitter: uniform in [0, min(50 ms, 1 ms · 2^attempt)]. */
  private static void backOff(Random random, int attempt) {
    long ceiling = Math.min(50_000_000L, 1_000_000L << Math.min(attempt, 20));
    LockSupport.parkNanos((long) (random.nextDouble() * ceiling));
  }
}
