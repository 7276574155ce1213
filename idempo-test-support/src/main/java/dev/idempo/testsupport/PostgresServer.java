package dev.idempo.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real PostgreSQL (13+) server process on 127.0.0.1 and a free port, for tests, run from the
 * highest-versioned Debian binaries in {@code /usr/lib/postgresql/<major>/bin}.
 *
 * <p>Defaults: a fresh cluster ({@code initdb}, UTF8, locale C) in a temp directory; superuser
 * {@value #USER} with trust authentication, so the password is empty; database {@value #DATABASE};
 * TCP only (no unix socket); {@code fsync} and {@code full_page_writes} off, so a commit reaches
 * the kernel but not the disk: committed data survives {@link #kill()}, not a crashed machine;
 * {@code pg_stat_statements} preloaded and created in {@code template1}, hence in every database,
 * when the extension is installed (see {@link #hasPgStatStatements()}). Extra arguments given to
 * {@link #start(String...)} (e.g. {@code "-c", "max_connections=200"}) come after the defaults.
 * When the JVM runs as root, the server runs as the system user {@code idempo-test}, created if
 * missing, since PostgreSQL refuses to run as root. Missing binaries are installed with apt-get
 * when running as root, else start fails saying how to install them. The process dies with the JVM.
 *
 * <p>Thread-safe: lifecycle methods are synchronized; connection coordinates never change.
 */
public final class PostgresServer extends LoopbackServer {
  /** The superuser tests connect as. */
  public static final String USER = "idempo";

  /** The database created at start. */
  public static final String DATABASE = "idempo";

  private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
  private static final int MINIMUM_MAJOR = 13;
  private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static PostgresServer sharedInstance;

  private final Binaries binaries;
  private final ServerUser user;
  private final Path dataDirectory;
  private final List<String> extraArgs;

  private record Binaries(Path bin, int major) {
    Path tool(String name) {
      return bin.resolve(name);
    }

    boolean hasPgStatStatements() {
      return Files.exists(bin.getParent().resolve("lib/pg_stat_statements.so"))
          && Files.exists(
              Path.of(
                  "/usr/share/postgresql",
                  Integer.toString(major),
                  "extension",
                  "pg_stat_statements.control"));
    }

    static Optional<Binaries> locateHighest() {
      if (!Files.isDirectory(DEBIAN_ROOT)) {
        return Optional.empty();
      }
      try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
        return versions
            .filter(version -> version.getFileName().toString().matches("\\d+"))
            .map(
                version ->
                    new Binaries(
                        version.resolve("bin"), Integer.parseInt(version.getFileName().toString())))
            .filter(binaries -> binaries.major() >= MINIMUM_MAJOR)
            .filter(
                binaries ->
                    Files.isExecutable(binaries.tool("initdb"))
                        && Files.isExecutable(binaries.tool("postgres")))
            .max(Comparator.comparingInt(Binaries::major));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private PostgresServer(
      Binaries binaries, ServerUser user, Path directory, List<String> extraArgs, boolean shared) {
    super("postgres", user, directory, shared);
    this.binaries = binaries;
    this.user = user;
    this.dataDirectory = directory.resolve("data");
    this.extraArgs = List.copyOf(extraArgs);
  }

  /**
   * Initialises and starts a server of your own, waits until it accepts connections and creates
   * {@value #DATABASE}; stop it with {@link #stop()}.
   *
   * @param extraServerArgs arguments for the {@code postgres} binary, e.g. {@code "-c",
   *     "work_mem=8MB"}
   * @throws ServerStartException if PostgreSQL is missing and cannot be installed, or does not
   *     start
   */
  public static PostgresServer start(String... extraServerArgs) {
    return start(List.of(extraServerArgs), false);
  }

  /** The server every test in this JVM may use, started on first call and stopped at JVM exit. */
  public static synchronized PostgresServer shared() {
    if (sharedInstance == null) {
      sharedInstance = start(List.of(), true);
    }
    return sharedInstance;
  }

  private static PostgresServer start(List<String> extraArgs, boolean shared) {
    Binaries binaries =
        DebianPackageInstaller.ensureInstalled(
            "PostgreSQL "
                + MINIMUM_MAJOR
                + "+ server binaries ("
                + DEBIAN_ROOT
                + "/<major>/bin/initdb)",
            Binaries::locateHighest,
            List.of("postgresql", "postgresql-contrib"));
    ServerUser user = ServerUser.unprivileged();
    // The unprivileged user must be able to reach the directory: /tmp is world-traversable.
    Path parent =
        user.isSwitched() ? Path.of("/tmp") : Path.of(System.getProperty("java.io.tmpdir"));
    Path directory = createDirectory(parent, "idempo-postgres-");
    user.own(directory);
    PostgresServer server = new PostgresServer(binaries, user, directory, extraArgs, shared);
    try {
      server.initialise();
      server.startOnFreePort();
      if (binaries.hasPgStatStatements()) {
        server.psql("template1", "create extension if not exists pg_stat_statements");
      }
      server.createDatabase(DATABASE);
      return server;
    } catch (RuntimeException e) {
      server.shutDown();
      throw e;
    }
  }

  private void initialise() {
    ExternalCommand.Result initdb =
        ExternalCommand.run(
            user.command(
                List.of(
                    binaries.tool("initdb").toString(),
                    "-D",
                    dataDirectory.toString(),
                    "-U",
                    USER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-sync",
                    "--no-instructions"),
                false),
            directory(),
            COMMAND_TIMEOUT);
    if (!initdb.succeeded()) {
      throw new ServerStartException(
          "initdb as user "
              + user.name()
              + " failed with exit code "
              + initdb.exitCode()
              + ":\n"
              + initdb.output().strip());
    }
  }

  public String database() {
    return DATABASE;
  }

  public String user() {
    return USER;
  }

  /** Empty: loopback connections are trusted. */
  public String password() {
    return "";
  }

  /** {@code jdbc:postgresql://127.0.0.1:PORT/idempo}. */
  public String jdbcUrl() {
    return jdbcUrl(DATABASE);
  }

  /** {@code jdbc:postgresql://127.0.0.1:PORT/<database>}. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
  }

  /**
   * Whether {@code pg_stat_statements} is preloaded and created in every database of this server.
   */
  public boolean hasPgStatStatements() {
    return binaries.hasPgStatStatements();
  }

  /**
   * Creates an empty database, e.g. one per test class for isolation.
   *
   * @return its JDBC URL
   * @throws IllegalArgumentException if {@code name} is not a lower-case SQL identifier
   * @throws ServerStartException if {@code createdb} fails, e.g. because the database exists
   */
  public String createDatabase(String name) {
    if (!DATABASE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("database name must match " + DATABASE_NAME + ": " + name);
    }
    ExternalCommand.run(
            List.of(
                binaries.tool("createdb").toString(),
                "-h",
                host(),
                "-p",
                Integer.toString(port()),
                "-U",
                USER,
                "-w",
                name),
            COMMAND_TIMEOUT)
        .orThrow();
    return jdbcUrl(name);
  }

  private void psql(String database, String sql) {
    ExternalCommand.run(
            List.of(
                binaries.tool("psql").toString(),
                "-X",
                "-h",
                host(),
                "-p",
                Integer.toString(port()),
                "-U",
                USER,
                "-w",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-qAtc",
                sql),
            COMMAND_TIMEOUT)
        .orThrow();
  }

  @Override
  List<String> command(int port) {
    List<String> command =
        new ArrayList<>(
            List.of(
                binaries.tool("postgres").toString(),
                "-D",
                dataDirectory.toString(),
                "-p",
                Integer.toString(port),
                "-c",
                "listen_addresses=" + host(),
                "-c",
                "unix_socket_directories=",
                // Not synchronous_commit=off: kill() would then lose acknowledged commits.
                "-c",
                "fsync=off",
                "-c",
                "full_page_writes=off"));
    if (binaries.hasPgStatStatements()) {
      command.addAll(List.of("-c", "shared_preload_libraries=pg_stat_statements"));
    }
    command.addAll(extraArgs);
    return command;
  }

  @Override
  boolean answers(int port) {
    return ExternalCommand.run(
            List.of(
                binaries.tool("pg_isready").toString(),
                "-q",
                "-h",
                host(),
                "-p",
                Integer.toString(port),
                "-t",
                "2"),
            Duration.ofSeconds(10))
        .succeeded();
  }

  @Override
  void requestShutdown(int port) {
    ExternalCommand.run(
        user.command(
            List.of(
                binaries.tool("pg_ctl").toString(),
                "stop",
                "-D",
                dataDirectory.toString(),
                "-m",
                "fast",
                "-w",
                "-t",
                "10"),
            false),
        directory(),
        COMMAND_TIMEOUT);
  }

  @Override
  Duration pollInterval() {
    return Duration.ofMillis(100);
  }
}
