package dev.idempo.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idempo.messaging.ConsumeOutcome;
import dev.idempo.messaging.Message;
import dev.idempo.messaging.MessageIdExtractor;
import dev.idempo.messaging.TransactionalConsumer;
import dev.idempo.messaging.TransactionalHandler;
import dev.idempo.testsupport.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;

/**
 * Dedup overhead per message on PostgreSQL: the same handler (one INSERT of the effect in its own
 * transaction) run plainly, inside Idempo's {@link TransactionalConsumer}, and behind Apache
 * Camel's {@code JdbcMessageIdRepository} (camel-sql; its idempotent consumer adds the id in a
 * transaction of its own, then the handler runs), on one PostgreSQL server, in one run, rounds
 * interleaved. Statements per message come from {@code pg_stat_statements}.
 *
 * <pre>
 * java -cp idempo-benchmarks/target/benchmarks.jar dev.idempo.benchmarks.DedupOverheadBenchmark \
 *     [seconds per row, 5] [rounds, 3] [threads, 1]
 * </pre>
 *
 * Not thread-safe; a main program.
 */
public final class DedupOverheadBenchmark {
  private static final byte[] PAYLOAD = "{\"order\":\"o-1\",\"amount\":1999}".getBytes(StandardCharsets.UTF_8);

  private DedupOverheadBenchmark() {}

  /** A way of running the handler on one new message id. */
  private interface Variant {
    void consume(String id) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    try (PostgresServer server = PostgresServer.start();
        HikariDataSource data = pool(server, threads + 1)) {
      DataSource stats = server.hasPgStatStatements() ? data : null;
      try (Connection c = data.getConnection(); Statement ddl = c.createStatement()) {
        ddl.execute("CREATE TABLE bench_effects (message_id VARCHAR(64) PRIMARY KEY, payload BYTEA)");
        // Camel's own DDL; its create-if-missing probe aborts its transaction on PostgreSQL.
        ddl.execute("CREATE TABLE CAMEL_MESSAGEPROCESSED (processorName VARCHAR(255),"
            + " messageId VARCHAR(100), createdAt TIMESTAMP, PRIMARY KEY (processorName, messageId))");
      }
      TransactionalHandler handler = DedupOverheadBenchmark::insertEffect;
      TransactionalConsumer idempo =
          TransactionalConsumer.builder(data, "bench")
              .messageId(MessageIdExtractor.brokerMessageId())
              .build();
      JdbcMessageIdRepository camel = new JdbcMessageIdRepository(data, "bench");
      camel.setCreateTableIfNotExists(false);
      camel.start();
      Variant plain =
          id -> {
            try (Connection c = data.getConnection()) {
              c.setAutoCommit(false);
              handler.handle(c, message(id));
              c.commit();
            }
          };
      Variant withIdempo =
          id -> {
            if (idempo.consume(message(id), handler) != ConsumeOutcome.PROCESSED) {
              throw new IllegalStateException("not processed: " + id);
            }
          };
      // Camel's IdempotentConsumer in its default (eager) mode: add the id, then process; the
      // add is its own transaction (the repository's TransactionTemplate), not the handler's.
      Variant withCamel =
          id -> {
            if (!camel.add(id)) {
              throw new IllegalStateException("duplicate: " + id);
            }
            plain.consume(id);
          };
      System.out.printf(Locale.ROOT, "PostgreSQL, %d thread(s), %d s per row, %d rounds%n",
          threads, seconds, rounds);
      System.out.printf(Locale.ROOT, "%-36s %10s %14s %12s%n", "variant", "msgs/s", "statements/msg", "vs plain");
      List<double[]> ratios = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        double base = row("round " + round + " plain handler", plain, data, stats, seconds, threads, 0);
        double ours = row("round " + round + " idempo transactional", withIdempo, data, stats, seconds, threads, base);
        double theirs = row("round " + round + " camel JdbcMessageIdRepo", withCamel, data, stats, seconds, threads, base);
        ratios.add(new double[] {ours / base, ours / theirs});
        System.out.printf(Locale.ROOT, "round %d: idempo/plain %.2fx, idempo/camel %.2fx%n",
            round, ours / base, ours / theirs);
      }
      camel.stop();
    }
  }

  private static double row(String name, Variant variant, DataSource data, DataSource stats,
      int seconds, int threads, double base) throws Exception {
    run(variant, 1, threads); // warm-up
    long before = statements(stats);
    AtomicLong done = new AtomicLong();
    long elapsed = run(variant, seconds, threads, done);
    double rate = done.get() / (elapsed / 1e9);
    String perMessage = stats == null ? "-"
        : String.format(Locale.ROOT, "%.2f", (statements(stats) - before) / (double) done.get());
    System.out.printf(Locale.ROOT, "%-36s %10.0f %14s %12s%n", name, rate, perMessage,
        base == 0 ? "1.00x" : String.format(Locale.ROOT, "%.2fx", rate / base));
    return rate;
  }

  private static void run(Variant variant, int seconds, int threads) throws Exception {
    run(variant, seconds, threads, new AtomicLong());
  }

  private static long run(Variant variant, int seconds, int threads, AtomicLong done) throws Exception {
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    List<Thread> workers = new ArrayList<>();
    Throwable[] failure = new Throwable[1];
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        try {
          while (System.nanoTime() < end) {
            variant.consume(UUID.randomUUID().toString());
            done.incrementAndGet();
          }
        } catch (Throwable e) {
          failure[0] = e;
        }
      });
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    if (failure[0] != null) {
      throw new IllegalStateException("a worker failed", failure[0]);
    }
    return System.nanoTime() - start;
  }

  private static Message message(String id) {
    return Message.builder(PAYLOAD).brokerMessageId(id).build();
  }

  private static void insertEffect(Connection connection, Message message) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO bench_effects (message_id, payload) VALUES (?, ?)")) {
      insert.setString(1, message.brokerMessageId().orElseThrow());
      insert.setBytes(2, message.payload());
      insert.executeUpdate();
    }
  }

  /** Statements PostgreSQL ran, from pg_stat_statements (the query reading it excluded); -1 without it. */
  private static long statements(DataSource data) throws SQLException {
    if (data == null) {
      return -1;
    }
    try (Connection c = data.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'")) {
      r.next();
      return r.getLong(1);
    }
  }

  private static HikariDataSource pool(PostgresServer server, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(server.jdbcUrl());
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(size);
    return new HikariDataSource(config);
  }
}
