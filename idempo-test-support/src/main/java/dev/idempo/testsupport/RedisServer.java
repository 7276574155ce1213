package dev.idempo.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
public final class RedisServer extends LoopbackServer {
  private static RedisServer sharedInstance;

  private final Path executable;
  private final List<String> extraArgs;

  private RedisServer(Path executable, Path directory, List<String> extraArgs, boolean shared) {
    super("redis-server", ServerUser.current(), directory, shared);
    this.executable = executable;
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
    List<String> command =
        new ArrayList<>(
            List.of(
                executable.toString(),
                "--bind",
                host(),
                "--port",
                Integer.toString(port),
                "--dir",
                directory().toString(),
                "--daemonize",
                "no",
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory-policy",
                "noeviction"));
    command.addAll(extraArgs);
    return command;
  }

  @Override
  boolean answers(int port) {
    return "+PONG".equals(firstReplyLine(port, "PING"));
  }

  @Override
  void requestShutdown(int port) {
    firstReplyLine(port, "SHUTDOWN", "NOSAVE");
  }

  @Override
  Duration pollInterval() {
    return Duration.ofMillis(20);
  }

  /** Sends one RESP command; returns the reply's first line, or "" if the server is unreachable. */
  private String firstReplyLine(int port, String... args) {
    StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
    for (String arg : args) {
      request
          .append('$')
          .append(arg.getBytes(StandardCharsets.UTF_8).length)
          .append("\r\n")
          .append(arg)
          .append("\r\n");
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host(), port), 1000);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      String line =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      return line == null ? "" : line;
    } catch (IOException e) {
      return "";
    }
  }
}
