package dev.idempo.testsupport;

import dev.idempo.testsupport.ServerProcessLauncher.Readiness;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Lifecycle shared by the test servers: a private temp directory holding the log, a free loopback
 * port kept across restarts, a shutdown hook, graceful stop falling back to SIGKILL. Thread-safe:
 * lifecycle methods are synchronized.
 */
abstract class LoopbackServer implements AutoCloseable {
  private static final int BIND_ATTEMPTS = 3;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
  private static final String OWNER_FILE = "jvm.pid";

  private final String name;
  private final Path directory;
  private final Path log;
  private final ServerUser user;
  private final boolean shared;
  private final Thread shutdownHook;
  private List<String> command = List.of();
  private int port = -1;
  private Process process;
  private boolean stopped;

  LoopbackServer(String name, ServerUser user, Path directory, boolean shared) {
    this.name = name;
    this.user = user;
    this.directory = directory;
    this.log = directory.resolve(name + ".log");
    this.shared = shared;
    this.shutdownHook = new Thread(this::shutDown, "idempo-test-stop-" + name);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** A new 0700 directory for one server under {@code parent}, marked with this JVM's pid. */
  static Path createDirectory(Path parent, String prefix) {
    deleteAbandoned(parent, prefix);
    try {
      Path directory =
          Files.createTempDirectory(
              parent,
              prefix,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Files.writeString(
          directory.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
      return directory;
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a temp directory in " + parent, e);
    }
  }

  /**
   * Deletes directories of JVMs killed without running their shutdown hooks; their servers died
   * with them.
   */
  private static void deleteAbandoned(Path parent, String prefix) {
    try (Stream<Path> siblings = Files.list(parent)) {
      siblings
          .filter(sibling -> sibling.getFileName().toString().startsWith(prefix))
          .filter(LoopbackServer::isAbandoned)
          .forEach(
              abandoned -> {
                try {
                  ExternalCommand.deleteRecursively(abandoned);
                } catch (UncheckedIOException e) {
                  // another JVM may be deleting it too
                }
              });
    } catch (IOException e) {
      // nothing to sweep
    }
  }

  private static boolean isAbandoned(Path directory) {
    try {
      long owner = Long.parseLong(Files.readString(directory.resolve(OWNER_FILE)).strip());
      return ProcessHandle.of(owner).isEmpty();
    } catch (IOException | RuntimeException e) {
      return false; // being created, or not ours to judge
    }
  }

  /** The command line of a server in the foreground listening on {@code port}. */
  abstract List<String> command(int port);

  abstract boolean answers(int port);

  /** Asks the server to exit without saving; returning does not mean it has exited. */
  abstract void requestShutdown(int port);

  abstract Duration pollInterval();

  final synchronized void startOnFreePort() {
    try {
      for (int attempt = 1; ; attempt++) {
        port = LoopbackPort.findFree();
        long logOffset = logSize();
        Readiness readiness = launchAndAwait();
        if (readiness == Readiness.READY) {
          return;
        }
        // Another process may have taken the free port between our probe and the server's bind.
        if (readiness == Readiness.EXITED
            && attempt < BIND_ATTEMPTS
            && logSince(logOffset).contains("Address already in use")) {
          continue;
        }
        throw failure(readiness);
      }
    } catch (RuntimeException e) {
      shutDown();
      throw e;
    }
  }

  /** The server's private temp directory, deleted by {@link #stop()}. */
  final Path directory() {
    return directory;
  }

  /** Always {@code 127.0.0.1}. */
  public String host() {
    return LoopbackPort.HOST;
  }

  /** The loopback port, chosen at start and kept by {@link #restart()}. */
  public synchronized int port() {
    return port;
  }

  /** The server's stdout and stderr, inside its temp directory; deleted by {@link #stop()}. */
  public Path logFile() {
    return log;
  }

  public synchronized boolean isRunning() {
    return !stopped && process != null && process.isAlive();
  }

  /**
   * Shuts the server down gracefully (SIGKILL after 15 s) and deletes its temp directory.
   * Idempotent.
   *
   * @throws IllegalStateException on the shared instance, which a shutdown hook stops
   */
  public synchronized void stop() {
    requireOwnInstance("stop");
    shutDown();
  }

  /** Same as {@link #stop()}, for try-with-resources. */
  @Override
  public void close() {
    stop();
  }

  /**
   * SIGKILLs the server and the processes it forked, like a crash; keeps the temp directory so that
   * {@link #restart()} finds its data.
   *
   * @throws IllegalStateException on the shared instance, or after {@link #stop()}
   */
  public synchronized void kill() {
    requireOwnInstance("kill");
    requireNotStopped();
    if (process != null) {
      ServerProcessLauncher.killTree(process);
    }
  }

  /**
   * Stops the server gracefully if it runs, then starts it again on the same port and waits until
   * it answers.
   *
   * @throws IllegalStateException on the shared instance, or after {@link #stop()}
   * @throws ServerStartException if it does not come back, e.g. because another process took the
   *     port
   */
  public synchronized void restart() {
    requireOwnInstance("restart");
    requireNotStopped();
    halt();
    Readiness readiness = launchAndAwait();
    if (readiness != Readiness.READY) {
      throw failure(readiness);
    }
  }

  private Readiness launchAndAwait() {
    command = command(port);
    process = ServerProcessLauncher.launch(user.command(command, true), directory, log);
    Readiness readiness =
        ServerProcessLauncher.awaitReady(
            process, () -> answers(port), pollInterval(), START_TIMEOUT);
    if (readiness == Readiness.TIMED_OUT) {
      ServerProcessLauncher.killTree(process);
    }
    return readiness;
  }

  private ServerStartException failure(Readiness readiness) {
    String why =
        readiness == Readiness.EXITED
            ? "exited with code " + process.exitValue() + " before answering"
            : "did not answer within " + START_TIMEOUT.toSeconds() + " s and was killed";
    List<String> shownCommand = command.stream().map(arg -> arg.isEmpty() ? "''" : arg).toList();
    return ServerStartException.withLogTail(
        name
            + " on "
            + host()
            + ":"
            + port
            + " "
            + why
            + "; command: "
            + String.join(" ", shownCommand),
        log);
  }

  /**
   * Stops the server and deletes its directory, shared or not; what {@link #stop()} and the hook
   * do.
   */
  final synchronized void shutDown() {
    if (stopped) {
      return;
    }
    stopped = true;
    halt();
    ExternalCommand.deleteRecursively(directory);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // called from the hook itself
    }
  }

  private void halt() {
    if (process == null || !process.isAlive()) {
      return;
    }
    try {
      requestShutdown(port);
    } catch (RuntimeException e) {
      System.err.println(
          "[idempo-test-support] graceful stop of " + name + " failed, killing it: " + e);
    }
    if (!ServerProcessLauncher.awaitExit(process.toHandle(), STOP_TIMEOUT)) {
      ServerProcessLauncher.killTree(process);
    }
  }

  private void requireOwnInstance(String action) {
    if (shared) {
      throw new IllegalStateException(
          "the shared "
              + name
              + " serves every test in this JVM and is stopped "
              + "at exit; start your own instance to "
              + action
              + " it");
    }
  }

  private void requireNotStopped() {
    if (stopped) {
      throw new IllegalStateException(
          name + " on port " + port + " was stopped and its directory deleted");
    }
  }

  private long logSize() {
    try {
      return Files.exists(log) ? Files.size(log) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private String logSince(long offset) {
    try (InputStream in = Files.newInputStream(log)) {
      in.skipNBytes(offset);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
