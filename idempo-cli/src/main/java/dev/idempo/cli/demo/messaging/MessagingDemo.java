package dev.idempo.cli.demo.messaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Orders become charges through Kafka, under the faults at-least-once delivery brings: an order
 * service writes orders and publishes an event for each, a payments service consumes the events and
 * charges each order, appending to its ledger. The same orders and the same {@link Chaos} (drawn
 * from the seed) run through two pipelines on one real Kafka broker started in this JVM (KRaft,
 * {@link EmbeddedKafka}), each service with its own SQLite file in a temporary directory:
 *
 * <ul>
 *   <li>a naive one ({@link NaivePipeline}): publish after the commit with a plain producer that
 *       resends when an ack is lost, consumers with auto-commit that charge on every delivery;
 *   <li>the Idempo one ({@link IdempoPipeline}): transactional outbox and relay, consumers that
 *       commit the charge, its dedup record and the offset in one transaction.
 * </ul>
 *
 * <p>The counts come from the payments service's own ledger. Immutable; {@link #run()} may be
 * called more than once.
 */
public final class MessagingDemo {
  static final String ORDER_HEADER = "order-id";

  private final int orders;
  private final int partitions;
  private final int consumers;
  private final long seed;
  private final Duration timeout;
  private final Chaos chaos;

  private MessagingDemo(Builder builder) {
    this.orders = builder.orders;
    this.partitions = builder.partitions;
    this.consumers = builder.consumers;
    this.seed = builder.seed;
    this.timeout = builder.timeout;
    this.chaos = Chaos.plan(orders, seed);
  }

  public static Builder builder() {
    return new Builder();
  }

  public int orders() {
    return orders;
  }

  public long seed() {
    return seed;
  }

  /** What runs, and the faults with the seed that reproduces them. */
  public String describe() {
    return String.format(
        "idempo demo messaging: %d orders through a real Kafka broker (KRaft, in this process;"
            + " %d partitions)%nto %d payments consumers, each service on its own SQLite file."
            + "%nFaults, the same in both runs (seed %d):"
            + "%n  the order service dies %d times between its database commit and its publish"
            + "%n  %d broker acks are lost, and the event is sent again with the same id"
            + "%n  the relay is killed %d times after publishing, before marking the event sent"
            + "%n  a payments consumer is killed %d times after charging, before committing the"
            + " offset",
        orders,
        partitions,
        consumers,
        seed,
        chaos.serviceCrashes().size(),
        chaos.lostAcks().size(),
        chaos.relayKills().size(),
        chaos.consumerKills().size());
  }

  /**
   * Starts a broker, runs the naive pipeline and then the Idempo one on it, and stops it.
   *
   * @throws IllegalStateException if the broker does not start or a run does not finish within the
   *     timeout
   */
  public Outcome run() {
    long start = System.nanoTime();
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      Duration brokerStart = Duration.ofNanos(System.nanoTime() - start);
      MessagingReport naive = run(kafka, false);
      MessagingReport idempo = run(kafka, true);
      return new Outcome(this, naive, idempo, brokerStart);
    }
  }

  private MessagingReport run(EmbeddedKafka kafka, boolean guarded) {
    long start = System.nanoTime();
    Path directory = null;
    try {
      directory = Files.createTempDirectory("idempo-demo-messaging-");
      String topic = guarded ? "orders-idempo" : "orders-naive";
      kafka.createTopic(topic, partitions);
      DataSource ordersDb = sqlite(directory.resolve("orders.db"));
      DataSource paymentsDb = sqlite(directory.resolve("payments.db"));
      try (Connection connection = ordersDb.getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute(
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, amount_cents INTEGER NOT NULL)");
      }
      PaymentsLedger.create(paymentsDb);
      Setup setup =
          new Setup(
              kafka,
              topic,
              partitions,
              consumers,
              orders,
              chaos,
              ordersDb,
              paymentsDb,
              System.nanoTime() + timeout.toNanos());
      Traffic traffic = guarded ? new IdempoPipeline(setup).run() : new NaivePipeline(setup).run();
      PaymentsLedger.Counts ledger = PaymentsLedger.count(paymentsDb, orders);
      return new MessagingReport(
          guarded,
          orders,
          traffic.messagesSent(),
          traffic.deliveries(),
          ledger.chargesRecorded(),
          ledger.duplicateCharges(),
          ledger.missingCharges(),
          traffic.duplicatesSkipped(),
          traffic.consumersKilled(),
          Duration.ofNanos(System.nanoTime() - start));
    } catch (IOException e) {
      throw new UncheckedIOException("the demo could not create its databases", e);
    } catch (SQLException e) {
      throw new IllegalStateException("the demo's SQLite databases failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the demo ran", e);
    } finally {
      if (directory != null) {
        EmbeddedKafka.deleteQuietly(directory);
      }
    }
  }

  private static DataSource sqlite(Path file) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(30_000);
    SQLiteDataSource dataSource = new SQLiteDataSource(config);
    dataSource.setUrl("jdbc:sqlite:" + file);
    return dataSource;
  }

  static void insertOrder(Connection connection, int order) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO orders (id, amount_cents) VALUES (?, ?)")) {
      insert.setInt(1, order);
      insert.setLong(2, amountOf(order));
      insert.executeUpdate();
    }
  }

  static long amountOf(int order) {
    return 500 + (order * 7919L) % 9500;
  }

  static byte[] payload(int order) {
    return ("{\"order\":" + order + ",\"amountCents\":" + amountOf(order) + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static int orderOf(byte[] header) {
    return Integer.parseInt(new String(header, StandardCharsets.UTF_8));
  }

  /** Both runs, and how long the broker took to start. */
  public record Outcome(
      MessagingDemo demo, MessagingReport naive, MessagingReport idempo, Duration brokerStart) {

    /** The two runs side by side, as the command prints them. */
    public String table() {
      return MessagingReport.table(demo.describe(), naive, idempo, brokerStart);
    }
  }

  /** What one pipeline run counted outside the ledger. */
  record Traffic(long messagesSent, long deliveries, long duplicatesSkipped, int consumersKilled) {}

  /** Everything a pipeline run needs. */
  record Setup(
      EmbeddedKafka kafka,
      String topic,
      int partitions,
      int consumers,
      int orderCount,
      Chaos chaos,
      DataSource orders,
      DataSource payments,
      long deadlineNanos) {

    /** The payments consumers' settings, the same in both pipelines but for offset commits. */
    Map<String, Object> consumerConfig() {
      Map<String, Object> config = new HashMap<>();
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      config.put(ConsumerConfig.GROUP_ID_CONFIG, "payments-" + topic);
      config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 3000);
      config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
      config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
      // A consumer that stopped polling (killed) leaves the group after this, and its
      // partitions move to the others.
      config.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 2000);
      return config;
    }

    /** Polls {@code done} every 20 ms until it holds. */
    void await(BooleanSupplier done, String what) throws InterruptedException {
      while (!done.getAsBoolean()) {
        if (System.nanoTime() - deadlineNanos > 0) {
          throw new IllegalStateException("the demo timed out waiting for " + what);
        }
        Thread.sleep(20);
      }
    }
  }

  /** Configures a demo; each setter rejects bad values at once. */
  public static final class Builder {
    private int orders = 500;
    private int partitions = 4;
    private int consumers = 2;
    private long seed = System.nanoTime();
    private Duration timeout = Duration.ofMinutes(2);

    private Builder() {}

    /** Orders to place; 10 to 100,000, 500 by default. */
    public Builder orders(int orders) {
      this.orders = inRange(orders, 10, 100_000, "orders");
      return this;
    }

    /** Partitions of the orders topic; 1 to 32, 4 by default. */
    public Builder partitions(int partitions) {
      this.partitions = inRange(partitions, 1, 32, "partitions");
      return this;
    }

    /** Payments consumers in the group at a time; 1 to 8, 2 by default. */
    public Builder consumers(int consumers) {
      this.consumers = inRange(consumers, 1, 8, "consumers");
      return this;
    }

    /** The seed of the faults; random by default. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** How long one pipeline run may take before the demo gives up; 2 minutes by default. */
    public Builder timeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be above zero, was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    public MessagingDemo build() {
      return new MessagingDemo(this);
    }

    private static int inRange(int value, int min, int max, String name) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            name + " must be between " + min + " and " + max + ", was " + value);
      }
      return value;
    }
  }
}
