package dev.idempo.cli.demo.messaging;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one server), started in
 * this JVM from the {@code org.apache.kafka:kafka_2.13} classes on 127.0.0.1 at two free ports, its
 * storage formatted in a fresh temporary directory that {@link #close()} deletes.
 *
 * <p>Settings are those of the project's test broker: replication factor 1 everywhere, no initial
 * rebalance delay, and group session timeouts down to 1 s, so a killed consumer's partitions move
 * within seconds. Thread-safe after {@link #start()}.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final String HOST = "127.0.0.1";

  private final Path directory;
  private final int port;
  private final KafkaRaftServer server;
  private final Admin admin;

  private EmbeddedKafka(Path directory, int port, KafkaRaftServer server, Admin admin) {
    this.directory = directory;
    this.port = port;
    this.server = server;
    this.admin = admin;
  }

  /**
   * Formats a storage directory, starts the broker and waits until it serves metadata.
   *
   * @throws IllegalStateException if it does not start within 60 s
   */
  public static EmbeddedKafka start() {
    Path directory;
    try {
      directory = Files.createTempDirectory("idempo-demo-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a directory for the Kafka broker", e);
    }
    KafkaRaftServer server = null;
    Admin admin = null;
    try {
      int port = freePort();
      int controllerPort = freePort();
      Properties config = config(directory, port, controllerPort);
      Path file = directory.resolve("server.properties");
      try (var out = Files.newOutputStream(file)) {
        config.store(out, "idempo demo broker");
      }
      format(file);
      server = newServer(config);
      server.startup();
      admin =
          Admin.create(
              Map.of(
                  AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + port,
                  AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                  AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000));
      admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
      return new EmbeddedKafka(directory, port, server, admin);
    } catch (IOException
        | ExecutionException
        | TimeoutException
        | ReflectiveOperationException
        | RuntimeException e) {
      stopQuietly(server, admin, directory);
      throw new IllegalStateException("the demo's Kafka broker did not start: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopQuietly(server, admin, directory);
      throw new IllegalStateException("interrupted while starting the demo's Kafka broker", e);
    }
  }

  /**
   * {@code new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM)}, through
   * reflection: {@code KafkaConfig}'s supertypes live in {@code kafka-server}, a runtime-only
   * dependency of {@code kafka_2.13}, so the compiler cannot see them.
   */
  private static KafkaRaftServer newServer(Properties config) throws ReflectiveOperationException {
    Class<?> configType = Class.forName("kafka.server.KafkaConfig");
    Object kafkaConfig =
        configType
            .getMethod("fromProps", Properties.class, boolean.class)
            .invoke(null, config, false);
    return KafkaRaftServer.class
        .getConstructor(configType, Time.class)
        .newInstance(kafkaConfig, Time.SYSTEM);
  }

  /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  /** Creates a topic with {@code partitions} partitions and waits until it exists. */
  public void createTopic(String name, int partitions) {
    try {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
          .all()
          .get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create topic " + name + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    }
  }

  /** The end offset (the next offset to be written) of each of the topic's partitions. */
  public Map<TopicPartition, Long> endOffsets(String topic, int partitions) {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int partition = 0; partition < partitions; partition++) {
      latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
    }
    try {
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets =
          admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS);
      Map<TopicPartition, Long> ends = new HashMap<>();
      offsets.forEach((partition, info) -> ends.put(partition, info.offset()));
      return ends;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not read the end offsets of " + topic + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading end offsets of " + topic, e);
    }
  }

  /** Stops the broker and deletes its storage. */
  @Override
  public void close() {
    stopQuietly(server, admin, directory);
  }

  private static void stopQuietly(KafkaRaftServer server, Admin admin, Path directory) {
    if (admin != null) {
      admin.close();
    }
    if (server != null) {
      try {
        server.shutdown();
        server.awaitShutdown();
      } catch (RuntimeException e) {
        // the process ends soon anyway; the storage is deleted below
      }
    }
    deleteQuietly(directory);
  }

  static void deleteQuietly(Path directory) {
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a temporary directory the system cleans up anyway
    }
  }

  private static Properties config(Path directory, int port, int controllerPort) {
    String controller = HOST + ":" + controllerPort;
    Properties config = new Properties();
    config.putAll(
        Map.ofEntries(
            Map.entry("process.roles", "broker,controller"),
            Map.entry("node.id", "1"),
            Map.entry("controller.quorum.voters", "1@" + controller),
            Map.entry(
                "listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + controller),
            Map.entry("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port),
            Map.entry("controller.listener.names", "CONTROLLER"),
            Map.entry("inter.broker.listener.name", "PLAINTEXT"),
            Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
            Map.entry("log.dirs", directory.resolve("data").toString()),
            Map.entry("num.partitions", "1"),
            Map.entry("auto.create.topics.enable", "false"),
            Map.entry("offsets.topic.replication.factor", "1"),
            Map.entry("offsets.topic.num.partitions", "2"),
            Map.entry("transaction.state.log.replication.factor", "1"),
            Map.entry("transaction.state.log.min.isr", "1"),
            Map.entry("transaction.state.log.num.partitions", "2"),
            Map.entry("share.coordinator.state.topic.replication.factor", "1"),
            Map.entry("share.coordinator.state.topic.min.isr", "1"),
            Map.entry("group.initial.rebalance.delay.ms", "0"),
            Map.entry("group.min.session.timeout.ms", "1000"),
            Map.entry("log.flush.interval.messages", "1000000")));
    return config;
  }

  /** Formats the storage directory, as {@code kafka-storage.sh format} would. */
  private static void format(Path config) {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int exit;
    try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      exit =
          kafka.tools.StorageTool.execute(
              new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()},
              print);
    }
    if (exit != 0) {
      throw new IllegalStateException(
          "formatting Kafka storage exited with "
              + exit
              + ":\n"
              + output.toString(StandardCharsets.UTF_8));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
