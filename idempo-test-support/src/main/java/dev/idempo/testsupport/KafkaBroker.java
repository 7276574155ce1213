package dev.idempo.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka 4 broker in KRaft mode (broker and controller in one process) on
 * 127.0.0.1, for tests: a child JVM running {@code kafka.Kafka} from the {@code
 * org.apache.kafka:kafka_2.13} jars on this JVM's class path (so the test module needs that
 * artifact in test scope), its storage formatted in a fresh temp directory.
 *
 * <p>Defaults: one partition per auto-created topic, replication factor 1 everywhere, no initial
 * rebalance delay, and group session timeouts down to 1 s allowed, so tests that kill consumers see
 * rebalances within seconds. The controller listens on a second free loopback port. The process
 * dies with this JVM (shutdown hook, parent-death signal).
 *
 * <p>Thread-safe: lifecycle methods are synchronized.
 */
public final class KafkaBroker extends LoopbackServer {
  private static KafkaBroker sharedInstance;

  private final String clusterId = Uuid.randomUuid().toString();
  private int controllerPort = -1;
  private boolean formatted;

  private KafkaBroker(Path directory, boolean shared) {
    super("kafka", ServerUser.current(), directory, shared);
  }

  /**
   * Formats and starts a broker of your own and waits until it serves metadata; stop it with {@link
   * #stop()}.
   *
   * @throws ServerStartException if it does not start
   */
  public static KafkaBroker start() {
    return start(false);
  }

  /** The broker every test in this JVM may use, started on first call and stopped at JVM exit. */
  public static synchronized KafkaBroker shared() {
    if (sharedInstance == null) {
      sharedInstance = start(true);
    }
    return sharedInstance;
  }

  private static KafkaBroker start(boolean shared) {
    Path directory =
        createDirectory(Path.of(System.getProperty("java.io.tmpdir")), "idempo-kafka-");
    KafkaBroker broker = new KafkaBroker(directory, shared);
    broker.startOnFreePort();
    return broker;
  }

  /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return host() + ":" + port();
  }

  /**
   * Creates a topic with {@code partitions} partitions (replication factor 1) and waits until it
   * exists.
   */
  public void createTopic(String name, int partitions) {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create topic " + name + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    }
  }

  private Admin admin() {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
  }

  @Override
  List<String> command(int port) {
    if (controllerPort < 0) {
      controllerPort = LoopbackPort.findFree();
    }
    Path config = directory().resolve("server.properties");
    writeConfig(config, port);
    if (!formatted) {
      format(config);
      formatted = true;
    }
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xms128m",
        "-Xmx512m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Dlog4j2.level=WARN",
        "-cp",
        System.getProperty("java.class.path"),
        "kafka.Kafka",
        config.toString());
  }

  private void writeConfig(Path file, int port) {
    Properties config = new Properties();
    String controller = host() + ":" + controllerPort;
    config.putAll(
        Map.ofEntries(
            Map.entry("process.roles", "broker,controller"),
            Map.entry("node.id", "1"),
            Map.entry("controller.quorum.voters", "1@" + controller),
            Map.entry(
                "listeners", "PLAINTEXT://" + host() + ":" + port + ",CONTROLLER://" + controller),
            Map.entry("advertised.listeners", "PLAINTEXT://" + host() + ":" + port),
            Map.entry("controller.listener.names", "CONTROLLER"),
            Map.entry("inter.broker.listener.name", "PLAINTEXT"),
            Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
            Map.entry("log.dirs", directory().resolve("data").toString()),
            Map.entry("num.partitions", "1"),
            Map.entry("offsets.topic.replication.factor", "1"),
            Map.entry("offsets.topic.num.partitions", "4"),
            Map.entry("transaction.state.log.replication.factor", "1"),
            Map.entry("transaction.state.log.min.isr", "1"),
            Map.entry("transaction.state.log.num.partitions", "4"),
            Map.entry("share.coordinator.state.topic.replication.factor", "1"),
            Map.entry("share.coordinator.state.topic.min.isr", "1"),
            Map.entry("group.initial.rebalance.delay.ms", "0"),
            Map.entry("group.min.session.timeout.ms", "1000"),
            Map.entry("log.flush.interval.messages", "1000000")));
    try (var out = Files.newOutputStream(file)) {
      config.store(out, "idempo test broker");
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file, e);
    }
  }

  /** Formats the storage directory in this JVM, as {@code kafka-storage.sh format} would. */
  private void format(Path config) {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int exit;
    try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      exit =
          kafka.tools.StorageTool.execute(
              new String[] {"format", "-t", clusterId, "-c", config.toString()}, print);
    } catch (RuntimeException e) {
      throw new ServerStartException("formatting Kafka storage failed: " + e + "\n" + output, e);
    }
    if (exit != 0) {
      throw new ServerStartException(
          "formatting Kafka storage exited with "
              + exit
              + ":\n"
              + output.toString(StandardCharsets.UTF_8));
    }
  }

  @Override
  boolean answers(int port) {
    if (!LoopbackPort.isAccepting(port)) {
      return false;
    }
    try (Admin admin = admin()) {
      return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** SIGTERM: Kafka shuts down cleanly on it. */
  @Override
  void requestShutdown(int port) {
    String marker = directory().toString();
    ProcessHandle.current()
        .descendants()
        .filter(
            process ->
                process.info().commandLine().map(line -> line.contains(marker)).orElse(false))
        .forEach(ProcessHandle::destroy);
  }

  @Override
  Duration pollInterval() {
    return Duration.ofMillis(250);
  }

  /** The topics that exist now; for tests that wait for auto-created ones. */
  public Set<String> topics() {
    try (Admin admin = admin()) {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not list topics: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing topics", e);
    }
  }
}
