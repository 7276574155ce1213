package dev.idempo.testsupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster on loopback, for tests: six {@code redis-server --cluster-enabled yes}
 * processes on free ports (three masters, three replicas) joined with {@code redis-cli --cluster
 * create ... --cluster-replicas 1 --cluster-yes}. {@link #start()} returns once every node says
 * {@code cluster_state:ok} and knows all six, and every master has an online replica.
 *
 * <p>Nodes run without persistence and with {@code maxmemory-policy noeviction}, each in its own
 * temp directory (its {@code cluster-config-file} and log) under one directory for the cluster;
 * {@code cluster-node-timeout} is {@value #NODE_TIMEOUT_MILLIS} ms, so a killed master's replica is
 * promoted within a few seconds. If {@code redis-server} or {@code redis-cli} is missing it is
 * installed with apt-get when the JVM runs as root. {@link #stop()} (or a shutdown hook, or the
 * JVM's death) ends every node and deletes the directories.
 *
 * <p>Thread-safe: lifecycle methods are synchronized.
 */
public final class RedisCluster implements AutoCloseable {
  /** The nodes' {@code cluster-node-timeout}: {@value} ms. */
  public static final long NODE_TIMEOUT_MILLIS = 1000;

  private static final int NODES = 6;
  private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static RedisCluster sharedInstance;

  private final Path directory;
  private final List<RedisClusterNode> nodes;
  private final boolean shared;
  private final Thread shutdownHook;
  private boolean stopped;

  private RedisCluster(Path directory, List<RedisClusterNode> nodes, boolean shared) {
    this.directory = directory;
    this.nodes = List.copyOf(nodes);
    this.shared = shared;
    this.shutdownHook = new Thread(this::shutDown, "idempo-test-stop-redis-cluster");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts a cluster of your own; stop it with {@link #stop()}.
   *
   * @throws ServerStartException if the binaries are missing and cannot be installed, a node does
   *     not start, or the cluster does not become healthy within 60 s
   */
  public static RedisCluster start() {
    return start(false);
  }

  /** The cluster every test in this JVM may use, started on first call, stopped at JVM exit. */
  public static synchronized RedisCluster shared() {
    if (sharedInstance == null) {
      sharedInstance = start(true);
    }
    return sharedInstance;
  }

  private static RedisCluster start(boolean shared) {
    Path server =
        DebianPackageInstaller.ensureInstalled(
            "redis-server", () -> ExternalCommand.locate("redis-server"), List.of("redis-server"));
    Path cli =
        DebianPackageInstaller.ensureInstalled(
            "redis-cli", () -> ExternalCommand.locate("redis-cli"), List.of("redis-tools"));
    Path directory =
        LoopbackServer.createDirectory(
            Path.of(System.getProperty("java.io.tmpdir")), "idempo-rediscluster-");
    List<RedisClusterNode> nodes = new ArrayList<>();
    RedisCluster cluster = null;
    try {
      for (int i = 0; i < NODES; i++) {
        nodes.add(
            RedisClusterNode.start(server, directory, Duration.ofMillis(NODE_TIMEOUT_MILLIS)));
      }
      cluster = new RedisCluster(directory, nodes, shared);
      cluster.create(cli);
      cluster.awaitHealthy(READY_TIMEOUT);
      return cluster;
    } catch (RuntimeException e) {
      if (cluster != null) {
        cluster.shutDown();
      } else {
        nodes.forEach(RedisClusterNode::shutDown);
        ExternalCommand.deleteRecursively(directory);
      }
      throw e;
    }
  }

  private void create(Path cli) {
    List<String> command = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
    nodes.forEach(node -> command.add(node.address()));
    command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    ExternalCommand.run(command, directory, CREATE_TIMEOUT).orThrow();
  }

  /** All six nodes, in start order (the first three were created as masters). */
  public List<RedisClusterNode> nodes() {
    return nodes;
  }

  /** The node listening on {@code port}, if it belongs to this cluster. */
  public Optional<RedisClusterNode> node(int port) {
    return nodes.stream().filter(node -> node.port() == port).findFirst();
  }

  /** {@code 127.0.0.1:P1,127.0.0.1:P2,...}: every node, as a seed list. */
  public String seeds() {
    return nodes.stream().map(RedisClusterNode::address).collect(Collectors.joining(","));
  }

  /** {@code redis://127.0.0.1:PORT} of every node, as seeds for a cluster client. */
  public List<String> uris() {
    return nodes.stream().map(RedisClusterNode::uri).toList();
  }

  /**
   * The running node that serves {@code slot} as master, as the first running node's {@code CLUSTER
   * NODES} tells it.
   */
  public synchronized Optional<RedisClusterNode> masterOf(int slot) {
    for (RedisClusterNode seed : running()) {
      String table = seed.call("CLUSTER", "NODES");
      for (String line : table.split("\n", -1)) {
        String[] fields = line.trim().split(" ", -1);
        if (fields.length < 9 || !fields[2].contains("master") || fields[2].contains("fail")) {
          continue;
        }
        int port =
            Integer.parseInt(
                fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
        for (int i = 8; i < fields.length; i++) {
          if (covers(fields[i], slot)) {
            return node(port).filter(RedisClusterNode::isRunning);
          }
        }
      }
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static boolean covers(String range, int slot) {
    if (range.startsWith("[")) {
      return false; // a slot being migrated
    }
    int dash = range.indexOf('-');
    int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
    int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
    return from <= slot && slot <= to;
  }

  /**
   * Waits until every running node says {@code cluster_state:ok}, and every running master has an
   * online replica if any replica still runs; after a master is killed that means its replica was
   * promoted.
   *
   * @throws ServerStartException if that does not happen within {@code timeout}
   */
  public void awaitHealthy(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (true) {
      last = unhealthy();
      if (last.isEmpty()) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new ServerStartException(
            "the Redis cluster did not become healthy within "
                + timeout.toSeconds()
                + " s: "
                + last);
      }
      try {
        Thread.sleep(50); // polling external processes, not waiting for time to pass
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ServerStartException("interrupted while waiting for the Redis cluster", e);
      }
    }
  }

  /** Why the cluster is not healthy yet, or "" if it is. */
  private String unhealthy() {
    List<RedisClusterNode> running = running();
    int masters = 0;
    int replicas = 0;
    for (RedisClusterNode node : running) {
      String info = node.call("CLUSTER", "INFO");
      if (!info.contains("cluster_state:ok")) {
        return node.address() + " says " + firstLine(info, "cluster_state");
      }
      String role = node.call("ROLE");
      if (role.startsWith("master")) {
        masters++;
      } else if (role.startsWith("slave") && role.contains("connected")) {
        replicas++;
      } else {
        return node.address() + " has role " + role.replace('\n', ' ');
      }
    }
    if (masters != 3) {
      return masters + " running masters, not 3";
    }
    // Every replica left must be in sync with a master; the create command gave each master
    // one.
    for (RedisClusterNode node : running) {
      String role = node.call("ROLE");
      if (role.startsWith("master") && replicas >= masters && !role.contains("\n127.0.0.1")) {
        return node.address() + " has no replica yet";
      }
    }
    return "";
  }

  private static String firstLine(String text, String prefix) {
    return text.lines().filter(line -> line.startsWith(prefix)).findFirst().orElse(text);
  }

  private synchronized List<RedisClusterNode> running() {
    return nodes.stream().filter(RedisClusterNode::isRunning).toList();
  }

  /**
   * Stops every node and deletes the cluster's directory. Idempotent.
   *
   * @throws IllegalStateException on the shared instance, which a shutdown hook stops
   */
  public synchronized void stop() {
    if (shared) {
      throw new IllegalStateException(
          "the shared Redis cluster serves every test in this JVM"
              + " and is stopped at exit; start your own to stop it");
    }
    shutDown();
  }

  @Override
  public void close() {
    stop();
  }

  private synchronized void shutDown() {
    if (stopped) {
      return;
    }
    stopped = true;
    nodes.forEach(RedisClusterNode::shutDown);
    ExternalCommand.deleteRecursively(directory);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // called from the hook itself
    }
  }
}
