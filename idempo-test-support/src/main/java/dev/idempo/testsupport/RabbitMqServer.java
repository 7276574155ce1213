package dev.idempo.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real RabbitMQ server (the Debian {@code rabbitmq-server} package, 3.x) on 127.0.0.1 and a free
 * port, for tests; user {@code guest}, password {@code guest}, vhost {@code /}.
 *
 * <p>Each server is its own Erlang node: its own node name, {@code RABBITMQ_MNESIA_BASE}, {@code
 * RABBITMQ_LOG_BASE}, config file, empty plugin list and {@code HOME} (hence its own Erlang cookie)
 * in a fresh temp directory; the AMQP listener and the Erlang distribution port on free loopback
 * ports, distribution bound to 127.0.0.1. Nodes register with a private {@code epmd} on a free
 * loopback port that this JVM starts once (never the machine's default 4369), so concurrent test
 * JVMs and a system RabbitMQ never meet. If the package is missing it is installed with apt-get
 * when the JVM runs as root, else start fails saying how to install it. The server, its epmd and
 * the Erlang VM die with the JVM (shutdown hook, parent-death signals on the script, the VM —
 * through an {@code erl} wrapper — and epmd).
 *
 * <p>Thread-safe: lifecycle methods are synchronized; host and port never change.
 */
public final class RabbitMqServer extends LoopbackServer {
  /** The user tests connect as (RabbitMQ's default, allowed on loopback). */
  public static final String USER = "guest";

  /** Its password. */
  public static final String PASSWORD = "guest";

  private static final Path SERVER_SCRIPT = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");
  private static RabbitMqServer sharedInstance;
  private static int epmdPort = -1;

  private final Path script;
  private final String nodeName;
  private int distributionPort = -1;

  private RabbitMqServer(Path script, Path directory, boolean shared) {
    super("rabbitmq-server", ServerUser.current(), directory, shared);
    this.script = script;
    this.nodeName =
        "idempo-" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36) + "@localhost";
  }

  /**
   * Starts a server of your own and waits until it speaks AMQP; stop it with {@link #stop()}.
   *
   * @throws ServerStartException if rabbitmq-server is missing and cannot be installed, or does not
   *     start
   */
  public static RabbitMqServer start() {
    return start(false);
  }

  /** The server every test in this JVM may use, started on first call and stopped at JVM exit. */
  public static synchronized RabbitMqServer shared() {
    if (sharedInstance == null) {
      sharedInstance = start(true);
    }
    return sharedInstance;
  }

  private static RabbitMqServer start(boolean shared) {
    Path script =
        DebianPackageInstaller.ensureInstalled(
            "rabbitmq-server",
            () -> Files.isExecutable(SERVER_SCRIPT) ? Optional.of(SERVER_SCRIPT) : Optional.empty(),
            List.of("rabbitmq-server"));
    ensureEpmd();
    Path directory =
        createDirectory(Path.of(System.getProperty("java.io.tmpdir")), "idempo-rabbitmq-");
    RabbitMqServer server = new RabbitMqServer(script, directory, shared);
    server.prepare();
    server.startOnFreePort();
    return server;
  }

  /** One epmd per JVM on a free loopback port, dying with the JVM. */
  private static synchronized void ensureEpmd() {
    if (epmdPort > 0) {
      return;
    }
    Path epmd =
        ExternalCommand.locate("epmd")
            .orElseThrow(
                () ->
                    new ServerStartException(
                        "epmd (erlang-base) is missing although rabbitmq-server is"
                            + " installed; install it with: apt-get install -y"
                            + " erlang-base"));
    int port = LoopbackPort.findFree();
    Path directory = createDirectory(Path.of(System.getProperty("java.io.tmpdir")), "idempo-epmd-");
    Process process =
        ServerProcessLauncher.launch(
            ServerUser.current()
                .command(
                    List.of(
                        epmd.toString(), "-port", Integer.toString(port), "-address", "127.0.0.1"),
                    true),
            directory,
            directory.resolve("epmd.log"));
    ServerProcessLauncher.Readiness readiness =
        ServerProcessLauncher.awaitReady(
            process,
            () -> LoopbackPort.isAccepting(port),
            Duration.ofMillis(20),
            Duration.ofSeconds(30));
    if (readiness != ServerProcessLauncher.Readiness.READY) {
      ServerProcessLauncher.killTree(process);
      throw ServerStartException.withLogTail(
          "epmd on 127.0.0.1:" + port + " did not start (" + readiness + ")",
          directory.resolve("epmd.log"));
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  ServerProcessLauncher.killTree(process);
                  ExternalCommand.deleteRecursively(directory);
                },
                "idempo-test-stop-epmd"));
    epmdPort = port;
  }

  /** Config, plugin list and the {@code erl} wrapper that ties the Erlang VM to its parent. */
  private void prepare() {
    Path directory = directory();
    try {
      Files.writeString(directory.resolve("enabled_plugins"), "[].\n");
      Path bin = Files.createDirectories(directory.resolve("bin"));
      Path erl = bin.resolve("erl");
      Optional<Path> setpriv = ExternalCommand.locate("setpriv");
      Path realErl =
          ExternalCommand.locate("erl")
              .orElseThrow(
                  () ->
                      new ServerStartException(
                          "erl is missing although rabbitmq-server is installed; install erlang-base"));
      String exec =
          setpriv.isPresent()
              ? "exec " + setpriv.get() + " --pdeathsig=KILL -- " + realErl + " \"$@\"\n"
              : "exec " + realErl + " \"$@\"\n";
      Files.writeString(erl, "#!/bin/sh\n" + exec);
      Files.setPosixFilePermissions(erl, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare " + directory, e);
    }
  }

  /** {@code amqp://guest:guest@127.0.0.1:PORT/%2F}. */
  public String uri() {
    return "amqp://" + USER + ":" + PASSWORD + "@" + host() + ":" + port() + "/%2F";
  }

  /** The Erlang node name, {@code idempo-<random>@localhost}. */
  public String nodeName() {
    return nodeName;
  }

  @Override
  List<String> command(int port) {
    if (distributionPort < 0) {
      distributionPort = LoopbackPort.findFree();
    }
    Path directory = directory();
    try {
      Files.writeString(
          directory.resolve("rabbitmq.conf"),
          "listeners.tcp.default = "
              + host()
              + ":"
              + port
              + "\n"
              + "loopback_users.guest = true\n"
              + "log.console = true\n"
              + "log.file = false\n");
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the RabbitMQ config", e);
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                "env",
                "HOME=" + directory,
                "PATH="
                    + directory.resolve("bin")
                    + ":"
                    + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                "ERL_EPMD_PORT=" + epmdPort,
                "RABBITMQ_NODENAME=" + nodeName,
                "RABBITMQ_NODE_IP_ADDRESS=" + host(),
                "RABBITMQ_NODE_PORT=" + port,
                "RABBITMQ_DIST_PORT=" + distributionPort,
                "RABBITMQ_MNESIA_BASE=" + directory.resolve("mnesia"),
                "RABBITMQ_LOG_BASE=" + directory.resolve("log"),
                "RABBITMQ_CONFIG_FILE=" + directory.resolve("rabbitmq.conf"),
                "RABBITMQ_ENABLED_PLUGINS_FILE=" + directory.resolve("enabled_plugins"),
                "RABBITMQ_PID_FILE=" + directory.resolve("rabbitmq.pid"),
                "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}",
                script.toString()));
    return command;
  }

  /** Sends the AMQP 0-9-1 protocol header; a live broker answers with a method frame. */
  @Override
  boolean answers(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host(), port), 1000);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write("AMQP".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[] {0, 0, 9, 1});
      out.flush();
      InputStream in = socket.getInputStream();
      return in.read() == 1; // frame type METHOD: connection.start
    } catch (IOException e) {
      return false;
    }
  }

  /** SIGTERM to the Erlang VM, which RabbitMQ handles as a clean stop. */
  @Override
  void requestShutdown(int port) {
    String marker = directory().toString();
    ProcessHandle.current()
        .descendants()
        .filter(
            process ->
                process
                    .info()
                    .commandLine()
                    .map(line -> line.contains("beam") && line.contains(marker))
                    .orElse(false))
        .forEach(ProcessHandle::destroy);
  }

  @Override
  Duration pollInterval() {
    return Duration.ofMillis(200);
  }
}
