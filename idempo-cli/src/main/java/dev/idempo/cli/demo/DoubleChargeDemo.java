package dev.idempo.cli.demo;

import dev.idempo.Fingerprint;
import dev.idempo.Idempotency;
import dev.idempo.IdempotencyKey;
import dev.idempo.IdempotencyPolicy;
import dev.idempo.KeyInFlightException;
import dev.idempo.ResultCodec;
import dev.idempo.RetryPolicy;
import dev.idempo.Scope;
import dev.idempo.store.InMemoryIdempotencyStore;
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

/**
 * A deliberately naive payments service (every charge request appends a charge to its ledger)
 * under the traffic real networks produce: responses dropped after the charge was made, requests
 * delivered twice, users double-clicking. Clients retry with the same key, as a well-behaved
 * client does. The same traffic runs once straight to the service and once through {@link
 * Idempotency}; the counts come from the service's own ledger.
 *
 * <p>This version runs the service in-process; the gateway demo puts real HTTP between them.
 */
public final class DoubleChargeDemo {
  private static final Scope CHARGES = Scope.operation("POST /charges");
  private static final long SERVICE_TIME_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

  private final int charges;
  private final int clients;
  private final double responseLoss;
  private final double duplicateDelivery;
  private final double doubleClicks;
  private final long seed;

  private DoubleChargeDemo(Builder builder) {
    this.charges = builder.charges;
    this.clients = builder.clients;
    this.responseLoss = builder.responseLoss;
    this.duplicateDelivery = builder.duplicateDelivery;
    this.doubleClicks = builder.doubleClicks;
    this.seed = builder.seed;
  }

  public static Builder builder() {
    return new Builder();
  }

  int charges() {
    return charges;
  }

  int clients() {
    return clients;
  }

  double responseLoss() {
    return responseLoss;
  }

  double duplicateDelivery() {
    return duplicateDelivery;
  }

  double doubleClicks() {
    return doubleClicks;
  }

  long seed() {
    return seed;
  }

  public String describe() {
    return String.format(
        "idempo demo: %d logical charges by %d clients; the network drops %.0f%% of responses and"
            + " delivers %.0f%% of requests twice; %.0f%% of charges are double-clicked (seed %d)",
        charges, clients, responseLoss * 100, duplicateDelivery * 100, doubleClicks * 100, seed);
  }

  /** Runs the traffic once, straight to the service or guarded by Idempo. */
  public DemoReport run(boolean guarded) {
    Ledger ledger = new Ledger();
    Service service = guarded ? new GuardedService(ledger) : new NaiveService(ledger);
    AtomicLong requests = new AtomicLong();
    ExecutorService clientThreads = Executors.newFixedThreadPool(clients);
    ExecutorService network = Executors.newCachedThreadPool();
    long start = System.nanoTime();
    try {
      List<CompletableFuture<List<String>>> answers = new ArrayList<>();
      for (int order = 0; order < charges; order++) {
        int o = order;
        answers.add(CompletableFuture.supplyAsync(() -> chargeOnce(o, service, requests, network), clientThreads));
      }
      List<List<String>> received = new ArrayList<>();
      for (CompletableFuture<List<String>> answer : answers) {
        received.add(answer.join());
      }
      network.shutdown(); // late duplicate deliveries still land in the ledger: wait for them
      if (!network.awaitTermination(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("duplicate deliveries did not finish within 30 s");
      }
      long doubles = 0;
      long wrong = 0;
      for (int order = 0; order < charges; order++) {
        List<String> recorded = ledger.chargesOf(order);
        doubles += Math.max(0, recorded.size() - 1);
        for (String answer : received.get(order)) {
          if (answer == null || !recorded.contains(answer)) {
            wrong++;
          }
        }
      }
      return new DemoReport(
          guarded, charges, requests.get(), ledger.size(), doubles, wrong, Duration.ofNanos(System.nanoTime() - start));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the demo's traffic", e);
    } finally {
      clientThreads.shutdownNow();
      network.shutdownNow();
    }
  }

  /** One logical charge: one key; one submission, or two at once for a double-click. */
  private List<String> chargeOnce(int order, Service service, AtomicLong requests, ExecutorService network) {
    Random random = new Random(seed * 31 + order);
    IdempotencyKey key = IdempotencyKey.of(new UUID(random.nextLong(), random.nextLong()).toString());
    boolean doubleClick = random.nextDouble() < doubleClicks;
    CompletableFuture<String> second =
        doubleClick
            ? CompletableFuture.supplyAsync(() -> submit(order, key, 1, service, requests, network), network)
            : null;
    List<String> answers = new ArrayList<>();
    answers.add(submit(order, key, 0, service, requests, network));
    if (second != null) {
      answers.add(second.join());
    }
    return answers;
  }

  /** A client submitting a charge and retrying with the same key until it gets an answer. */
  private String submit(
      int order, IdempotencyKey key, int click, Service service, AtomicLong requests, ExecutorService network) {
    Random random = new Random(seed * 977 + order * 7L + click);
    RetryPolicy.Call call =
        RetryPolicy.builder()
            .maxAttempts(20)
            .baseDelay(Duration.ofMillis(1))
            .maxDelay(Duration.ofMillis(20))
            .build()
            .newCall();
    while (true) {
      requests.incrementAndGet();
      if (random.nextDouble() < duplicateDelivery) {
        requests.incrementAndGet();
        network.execute(() -> service.charge(order, key));
      }
      String answer = service.charge(order, key);
      boolean lost = random.nextDouble() < responseLoss;
      if (answer != null && !lost) {
        return answer;
      }
      RetryPolicy.Decision decision = call.onRetryableFailure(null);
      if (!decision.shouldRetry()) {
        return null;
      }
      try {
        call.sleep(decision.delay());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
  }

  /** The service's endpoint: answers a charge id, or null for "409 still in progress". */
  private interface Service {
    String charge(int order, IdempotencyKey key);
  }

  private static final class NaiveService implements Service {
    private final Ledger ledger;

    NaiveService(Ledger ledger) {
      this.ledger = ledger;
    }

    @Override
    public String charge(int order, IdempotencyKey key) {
      LockSupport.parkNanos(SERVICE_TIME_NANOS); // talking to the card network
      return ledger.append(order);
    }
  }

  private static final class GuardedService implements Service {
    private final NaiveService service;
    private final Idempotency<String> idempotency;

    GuardedService(Ledger ledger) {
      this.service = new NaiveService(ledger);
      this.idempotency =
          Idempotency.builder(InMemoryIdempotencyStore.create(), ResultCodec.utf8())
              .policy(IdempotencyPolicy.<String>builder().renewInterval(Duration.ZERO).build())
              .build();
    }

    @Override
    public String charge(int order, IdempotencyKey key) {
      Fingerprint request = Fingerprint.builder().add("order", Integer.toString(order)).build();
      try {
        return idempotency.execute(CHARGES, key, request, context -> service.charge(order, key)).value();
      } catch (KeyInFlightException e) {
        return null;
      }
    }
  }

  /** Configures a demo; each setter rejects bad values at once. */
  public static final class Builder {
    private int charges = 1000;
    private int clients = 8;
    private double responseLoss = 0.2;
    private double duplicateDelivery = 0.1;
    private double doubleClicks = 0.1;
    private long seed = System.nanoTime();

    private Builder() {}

    public Builder charges(int charges) {
      this.charges = inRange(charges, 1, 1_000_000, "charges");
      return this;
    }

    public Builder clients(int clients) {
      this.clients = inRange(clients, 1, 256, "clients");
      return this;
    }

    public Builder responseLoss(double responseLoss) {
      this.responseLoss = inRange(responseLoss, 0.0, 0.9, "loss");
      return this;
    }

    public Builder duplicateDelivery(double duplicateDelivery) {
      this.duplicateDelivery = inRange(duplicateDelivery, 0.0, 1.0, "duplicates");
      return this;
    }

    public Builder doubleClicks(double doubleClicks) {
      this.doubleClicks = inRange(doubleClicks, 0.0, 1.0, "double-clicks");
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public DoubleChargeDemo build() {
      return new DoubleChargeDemo(this);
    }

    private static int inRange(int value, int min, int max, String name) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
      }
      return value;
    }

    private static double inRange(double value, double min, double max, String name) {
      if (!(value >= min && value <= max)) {
        throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
      }
      return value;
    }
  }
}
