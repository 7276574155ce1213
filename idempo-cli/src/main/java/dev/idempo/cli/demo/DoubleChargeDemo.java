package dev.idempo.cli.demo;

import dev.idempo.gateway.Gateway;
import dev.idempo.gateway.GatewayConfig;
import dev.idempo.gateway.StoreLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A deliberately naive payments service (every charge request appends a charge to its ledger) under
 * the traffic real networks produce: responses dropped after the charge was made, requests
 * delivered twice, users double-clicking. Clients retry with the same key, as a well-behaved client
 * does. The same traffic runs once straight to the service and once through the idempo gateway on
 * its embedded default store (SQLite in a temporary directory); the counts come from the service's
 * own ledger. Everything talks real HTTP over loopback.
 */
public final class DoubleChargeDemo {
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

  /** Runs the traffic once, straight to the service or through the gateway. */
  public DemoReport run(boolean guarded) {
    long start = System.nanoTime();
    Path data = null;
    Gateway gateway = null;
    try (PaymentsService service = new PaymentsService()) {
      URI target = service.uri();
      if (guarded) {
        data = Files.createTempDirectory("idempo-demo");
        gateway =
            new Gateway(
                GatewayConfig.builder(service.uri())
                    .listen("127.0.0.1", 0)
                    .storeLocation(StoreLocation.sqlite(data.resolve("idempo.db")))
                    .build());
        gateway.start();
        target = gateway.uri();
      }
      LossyClients.Traffic traffic = new LossyClients(this).run(target);
      Ledger ledger = service.ledger();
      long doubles = 0;
      long wrong = 0;
      for (int order = 0; order < charges; order++) {
        List<String> recorded = ledger.chargesOf(order);
        doubles += Math.max(0, recorded.size() - 1);
        for (String answer : traffic.answers().get(order)) {
          if (answer == null || !recorded.contains(answer)) {
            wrong++;
          }
        }
      }
      return new DemoReport(
          guarded,
          charges,
          traffic.requestsSent(),
          ledger.size(),
          doubles,
          wrong,
          Duration.ofNanos(System.nanoTime() - start));
    } catch (IOException e) {
      throw new UncheckedIOException("the demo could not start its servers", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the demo's traffic", e);
    } finally {
      if (gateway != null) {
        gateway.stop();
      }
      deleteQuietly(data);
    }
  }

  private static void deleteQuietly(Path directory) {
    if (directory == null) {
      return;
    }
    try (java.util.stream.Stream<Path> files = Files.walk(directory)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a temporary directory the system cleans up anyway
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
        throw new IllegalArgumentException(
            name + " must be between " + min + " and " + max + ", was " + value);
      }
      return value;
    }

    private static double inRange(double value, double min, double max, String name) {
      if (!(value >= min && value <= max)) {
        throw new IllegalArgumentException(
            name + " must be between " + min + " and " + max + ", was " + value);
      }
      return value;
    }
  }
}
