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
import javax.sql.DataSource;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;

/**
 * Dedup overhead per message on PostgreSQL: the same handler (one INSERT of the effect in its own
 * transaction) run plainly, inside Idempo's {@link TransactionalConsumer}, and behind Apache
 * Camel's {@code JdbcMessageIdRepository} (camel-sql; its idempotent consumer adds the id in a
 * transaction of its own, then the handler runs), on one PostgreSQL server, in one run, one
 * consumer thread, the three interleaved every 200 messages so that other load on the machine falls
 * on all three alike. Statements per message come from {@code pg_stat_statements}.
 *
 * <pre>
 * java -cp idempo-benchmarks/target/benchmarks.jar dev.idempo.benchmarks.DedupOverheadBenchmark \
 *     [seconds per round, 10] [rounds, 3]
 * </pre>
 *
 * Not thread-safe; a main program.
 */
public final class DedupOverheadBenchmark {
  private static final byte[] PAYLOAD =
      "{\"order\":\"o-1\",\"amount\":1999}".getBytes(StandardCharsets.UTF_8);

  private DedupOverheadBenchmark() {}

  /** A way of running the handler on one new message id. */
  private interface Variant {
    void consume(String id) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    try (PostgresServer server = PostgresServer.start();
        HikariDataSource data = pool(server, 2)) {
      DataSource stats = server.hasPgStatStatements() ? data : null;
      try (Connection c = data.getConnection();
          Statement ddl = c.createStatement()) {
        ddl.execute(
            "CREATE TABLE bench_effects (message_id VARCHAR(64) PRIMARY KEY, payload BYTEA)");
        // Camel's own DDL; its create-if-missing probe aborts its transaction on PostgreSQL.
        ddl.execute(
            "CREATE TABLE CAMEL_MESSAGEPROCESSED (processorName VARCHAR(255),"
                + " messageId VARCHAR(100), createdAt TIMESTAMP,"
                + " PRIMARY KEY (processorName, messageId))");
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
      // Per poll, as KafkaConsumerRunner settles a batch: one transaction for the batch.
      Variant plainBatch =
          slice(
              ids -> {
                try (Connection c = data.getConnection()) {
                  c.setAutoCommit(false);
                  for (String id : ids) {
                    handler.handle(c, message(id));
                  }
                  c.commit();
                }
              });
      Variant idempoBatch =
          slice(
              ids -> {
                List<Message> messages = new ArrayList<>(ids.size());
                for (String id : ids) {
                  messages.add(message(id));
                }
                if (idempo.consumeAll(messages, handler, connection -> {}).isEmpty()) {
                  throw new IllegalStateException("batch not settled");
                }
              });
      // Camel's repository has no batch form: one add (its own transaction) per id.
      Variant camelBatch =
          slice(
              ids -> {
                for (String id : ids) {
                  if (!camel.add(id)) {
                    throw new IllegalStateException("duplicate: " + id);
                  }
                }
                plainBatch.consume(String.join(",", ids));
              });
      report(
          "one message per transaction",
          new Variant[] {plain, withIdempo, withCamel},
          stats,
          seconds,
          rounds);
      report(
          "batches of " + BATCH + " per transaction (as KafkaConsumerRunner per poll)",
          new Variant[] {plainBatch, idempoBatch, camelBatch},
          stats,
          seconds,
          rounds);
      camel.stop();
    }
  }

  private static final int BATCH = 100;

  /** A batch variant: called with one id, it settles BATCH ids derived from it in one go. */
  private interface BatchHandler {
    void consume(List<String> ids) throws Exception;
  }

  private static Variant slice(BatchHandler batch) {
    return first -> {
      if (first.contains(",")) {
        batch.consume(List.of(first.split(",")));
        return;
      }
      List<String> ids = new ArrayList<>(BATCH);
      ids.add(first);
      for (int i = 1; i < BATCH; i++) {
        ids.add(UUID.randomUUID().toString());
      }
      batch.consume(ids);
    };
  }

  private static void report(
      String mode, Variant[] variants, DataSource stats, int seconds, int rounds) throws Exception {
    String[] names = {
      "plain handler (no dedup)", "idempo TransactionalConsumer", "camel JdbcMessageIdRepository"
    };
    int perCall = mode.startsWith("batches") ? BATCH : 1;
    double[] statementsPerMessage = new double[variants.length];
    for (int v = 0; v < variants.length; v++) {
      statementsPerMessage[v] = statementsPerMessage(variants[v], stats, perCall);
    }
    System.out.printf(
        Locale.ROOT,
        "%nPostgreSQL, %s, one consumer thread, %d rounds of %d s, variants interleaved%n",
        mode,
        rounds,
        seconds);
    System.out.printf(
        Locale.ROOT,
        "%-8s %-30s %10s %15s %9s%n",
        "round",
        "variant",
        "msgs/s",
        "statements/msg",
        "vs plain");
    for (int round = 1; round <= rounds; round++) {
      double[] rates = interleaved(variants, seconds, perCall);
      for (int v = 0; v < variants.length; v++) {
        System.out.printf(
            Locale.ROOT,
            "%-8d %-30s %10.0f %15s %8.2fx%n",
            round,
            names[v],
            rates[v],
            stats == null ? "-" : String.format(Locale.ROOT, "%.2f", statementsPerMessage[v]),
            rates[v] / rates[0]);
      }
      System.out.printf(
          Locale.ROOT,
          "round %d: idempo/plain %.2fx, idempo/camel %.2fx%n",
          round,
          rates[1] / rates[0],
          rates[1] / rates[2]);
    }
  }

  /** Messages per slice: short enough that load from other processes hits all variants alike. */
  private static final int SLICE = 200;

  /**
   * Runs the variants in turn, {@link #SLICE} messages each, for {@code seconds} (after one second
   * of the same as warm-up), and returns each one's messages per second of its own time.
   */
  private static double[] interleaved(Variant[] variants, int seconds, int perCall)
      throws Exception {
    long[] nanos = new long[variants.length];
    long[] counts = new long[variants.length];
    long warmUpEnd = System.nanoTime() + 1_000_000_000L;
    long end = warmUpEnd + seconds * 1_000_000_000L;
    boolean measuring = false;
    while (System.nanoTime() < end) {
      if (!measuring && System.nanoTime() >= warmUpEnd) {
        measuring = true;
      }
      for (int v = 0; v < variants.length; v++) {
        long start = System.nanoTime();
        for (int i = 0; i < SLICE / perCall; i++) {
          variants[v].consume(UUID.randomUUID().toString());
        }
        if (measuring) {
          nanos[v] += System.nanoTime() - start;
          counts[v] += SLICE / perCall * ((long) perCall);
        }
      }
    }
    double[] rates = new double[variants.length];
    for (int v = 0; v < variants.length; v++) {
      rates[v] = counts[v] / (nanos[v] / 1e9);
    }
    return rates;
  }

  /** Statements per message of one variant over 1,000 messages; NaN without pg_stat_statements. */
  private static double statementsPerMessage(Variant variant, DataSource stats, int perCall)
      throws Exception {
    if (stats == null) {
      return Double.NaN;
    }
    long before = statements(stats);
    for (int i = 0; i < 1_000 / perCall; i++) {
      variant.consume(UUID.randomUUID().toString());
    }
    return (statements(stats) - before) / 1_000.0;
  }

  private static Message message(String id) {
    return Message.builder(PAYLOAD).brokerMessageId(id).build();
  }

  private static void insertEffect(Connection connection, Message message) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO bench_effects (message_id, payload) VALUES (?, ?)")) {
      insert.setString(1, message.brokerMessageId().orElseThrow());
      insert.setBytes(2, message.payload());
      insert.executeUpdate();
    }
  }

  /**
   * Statements PostgreSQL ran, from pg_stat_statements (the query reading it excluded); -1 without
   * it.
   */
  private static long statements(DataSource data) throws SQLException {
    if (data == null) {
      return -1;
    }
    try (Connection c = data.getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements"
                    + " WHERE query NOT LIKE '%pg_stat_statements%'")) {
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
