package dev.idempo.testsupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One {@code redis-server --cluster-enabled yes} process of a {@link RedisCluster}, on 127.0.0.1
 * and a free port, with its own temp directory holding its {@code cluster-config-file} ({@code
 * nodes.conf}) and log. {@link #kill()} SIGKILLs it like a crash.
 *
 * <p>Thread-safe: lifecycle methods are synchronized; {@link #call} opens a socket per call.
 */
public final class RedisClusterNode extends RedisProcess {
  private final Duration nodeTimeout;

  private RedisClusterNode(Path executable, Path directory, Duration nodeTimeout) {
    super("redis-cluster-node", executable, directory, false);
    this.nodeTimeout = nodeTimeout;
  }

  /** Starts a node that belongs to no cluster yet and waits until it answers PING. */
  static RedisClusterNode start(Path executable, Path parent, Duration nodeTimeout) {
    Path directory = createDirectory(parent, "node-");
    RedisClusterNode node = new RedisClusterNode(executable, directory, nodeTimeout);
    node.startOnFreePort();
    return node;
  }

  /** {@code 127.0.0.1:PORT}, as {@code redis-cli --cluster create} takes it. */
  public String address() {
    return host() + ":" + port();
  }

  /** {@code redis://127.0.0.1:PORT}. */
  public String uri() {
    return "redis://" + address();
  }

  @Override
  List<String> command(int port) {
    List<String> command = baseCommand(port);
    command.addAll(
        List.of(
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            directory().resolve("nodes.conf").toString(),
            "--cluster-node-timeout",
            Long.toString(nodeTimeout.toMillis())));
    return command;
  }
}
