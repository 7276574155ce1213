package dev.idempo.testsupport;

import java.nio.file.Path;
import java.util.List;

/**
 * A real {@code redis-server} (7.x) process on 127.0.0.1 and a free port, for tests.
 *
 * <p>Defaults: {@code --save "" --appendonly no --maxmemory-policy noeviction}, a fresh temp
 * directory as {@code dir}, output in {@link #logFile()}. Extra arguments given to {@link
 * #start(String...)} come after the defaults, so they override them. If {@code redis-server} is
 * missing, it is installed with apt-get when the JVM runs as root, else start fails saying how to
 * install it. The process dies with the JVM: a shutdown hook stops it, and a parent-death signal
 * kills it if the JVM is killed.
 *
 * <p>Thread-safe: lifecycle methods are synchronized; host, port and URI never change.
 */
public final class RedisServer extends RedisProcess {
  private static RedisServer sharedInstance;

  private final List<String> extraArgs;

  private RedisServer(Path executable, Path directory, List<String> extraArgs, boolean shared) {
    super("redis-server", executable, directory, shared);
    this.extraArgs = List.copyOf(extraArgs);
  }

  /**
   * Starts a server of your own and waits until it answers PING; stop it with {@link #stop()}.
   *
   * @param extraConfigArgs redis-server arguments, e.g. {@code "--maxmemory-policy", "allkeys-lru"}
   * @throws ServerStartException if redis-server is missing and cannot be installed, or does not
   *     start
   */
  public static RedisServer start(String... extraConfigArgs) {
    return start(List.of(extraConfigArgs), false);
  }

  /** The server every test in this JVM may use, started on first call and stopped at JVM exit. */
  public static synchronized RedisServer shared() {
    if (sharedInstance == null) {
      sharedInstance = start(List.of(), true);
    }
    return sharedInstance;
  }

  private static RedisServer start(List<String> extraArgs, boolean shared) {
    Path executable =
        DebianPackageInstaller.ensureInstalled(
            "redis-server", () -> ExternalCommand.locate("redis-server"), List.of("redis-server"));
    Path directory =
        createDirectory(Path.of(System.getProperty("java.io.tmpdir")), "idempo-redis-");
    RedisServer server = new RedisServer(executable, directory, extraArgs, shared);
    server.startOnFreePort();
    return server;
  }

  /** {@code redis://127.0.0.1:PORT}. */
  public String uri() {
    return "redis://" + host() + ":" + port();
  }

  @Override
  List<String> command(int port) {
    List<String> command = baseCommand(port);
    command.addAll(extraArgs);
    return command;
  }
}
