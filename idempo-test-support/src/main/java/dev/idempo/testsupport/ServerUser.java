package dev.idempo.testsupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The OS user a server binary runs as: the JVM's own user, or, when the JVM runs as root, the
 * unprivileged system user {@value #UNPRIVILEGED_NAME} (PostgreSQL refuses to run as root).
 * Commands are wrapped in {@code setpriv}, which both switches user and, for servers, sets a
 * parent-death signal; unlike {@code runuser} it execs, so the JVM's Process is the server itself.
 */
final class ServerUser {
  static final String UNPRIVILEGED_NAME = "idempo-test";
  private static final Object CREATION_LOCK = new Object();

  private final String name;
  private final Optional<String> uidAndGid;

  private ServerUser(String name, Optional<String> uidAndGid) {
    this.name = name;
    this.uidAndGid = uidAndGid;
  }

  static ServerUser current() {
    return new ServerUser(System.getProperty("user.name"), Optional.empty());
  }

  /**
   * The current user, unless that is root: then {@value #UNPRIVILEGED_NAME}, created if missing.
   */
  static ServerUser unprivileged() {
    if (!ExternalCommand.runningAsRoot()) {
      return current();
    }
    synchronized (CREATION_LOCK) {
      createIfMissing();
      String uid =
          ExternalCommand.run(List.of("id", "-u", UNPRIVILEGED_NAME), Duration.ofSeconds(10))
              .orThrow()
              .output()
              .strip();
      String gid =
          ExternalCommand.run(List.of("id", "-g", UNPRIVILEGED_NAME), Duration.ofSeconds(10))
              .orThrow()
              .output()
              .strip();
      return new ServerUser(UNPRIVILEGED_NAME, Optional.of(uid + ":" + gid));
    }
  }

  private static void createIfMissing() {
    // Several test JVMs may race here: useradd then fails with "already exists" (9) or, while the
    // other one holds /etc/passwd's lock, with 10. Either way the user appears shortly.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    ExternalCommand.Result last = null;
    while (System.nanoTime() - deadline < 0) {
      if (ExternalCommand.run(List.of("id", "-u", UNPRIVILEGED_NAME), Duration.ofSeconds(10))
          .succeeded()) {
        return;
      }
      String useradd =
          ExternalCommand.locate("useradd")
              .map(Path::toString)
              .orElseThrow(
                  () ->
                      new ServerStartException(
                          "running as root and user "
                              + UNPRIVILEGED_NAME
                              + " is missing, but "
                              + "useradd is not installed; create it with: useradd --system --no-create-home "
                              + UNPRIVILEGED_NAME));
      last =
          ExternalCommand.run(
              List.of(
                  useradd,
                  "--system",
                  "--no-create-home",
                  "--user-group",
                  "--shell",
                  "/usr/sbin/nologin",
                  UNPRIVILEGED_NAME),
              Duration.ofSeconds(30));
      if (!last.succeeded() && last.exitCode() != 9) {
        backOff();
      }
    }
    throw new ServerStartException(
        "could not create system user " + UNPRIVILEGED_NAME + ": " + last);
  }

  private static void backOff() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerStartException("interrupted while creating user " + UNPRIVILEGED_NAME, e);
    }
  }

  String name() {
    return name;
  }

  boolean isSwitched() {
    return uidAndGid.isPresent();
  }

  /** {@code command} run as this user; {@code dieWithJvm} adds SIGKILL as parent-death signal. */
  List<String> command(List<String> command, boolean dieWithJvm) {
    Optional<Path> setpriv = ExternalCommand.locate("setpriv");
    if (setpriv.isEmpty()) {
      if (isSwitched()) {
        throw new ServerStartException(
            "setpriv is missing, needed to run servers as "
                + name
                + " instead of root; install it with: apt-get install -y util-linux");
      }
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of(setpriv.get().toString()));
    uidAndGid.ifPresent(
        ids -> {
          String[] parts = ids.split(":", 2);
          wrapped.addAll(List.of("--reuid=" + parts[0], "--regid=" + parts[1], "--clear-groups"));
        });
    if (dieWithJvm) {
      wrapped.add("--pdeathsig=KILL");
    }
    wrapped.add("--");
    wrapped.addAll(command);
    return wrapped;
  }

  /** Hands {@code directory} (not its contents) to this user. */
  void own(Path directory) {
    uidAndGid.ifPresent(
        ids ->
            ExternalCommand.run(List.of("chown", ids, directory.toString()), Duration.ofSeconds(10))
                .orThrow());
  }
}
