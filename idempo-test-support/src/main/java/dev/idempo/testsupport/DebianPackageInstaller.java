package dev.idempo.testsupport;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Installs a missing server with apt-get, so that a fresh Debian machine with only a JDK can run
 * the tests. Only as root; otherwise, or when apt-get fails, it throws with the command to run by
 * hand.
 */
final class DebianPackageInstaller {
  private static final Path LOCK_FILE = Path.of("/tmp/idempo-test-support-apt.lock");
  private static final Duration APT_TIMEOUT = Duration.ofMinutes(15);
  private static final Object IN_JVM_LOCK = new Object(); // FileLock is per JVM, not per thread

  private DebianPackageInstaller() {}

  /**
   * Returns what {@code locate} finds, installing {@code packages} first if it finds nothing.
   *
   * @param what human name of the missing thing, e.g. "redis-server"
   */
  static <T> T ensureInstalled(String what, Supplier<Optional<T>> locate, List<String> packages) {
    Optional<T> found = locate.get();
    if (found.isPresent()) {
      return found.get();
    }
    String command = "apt-get install -y --no-install-recommends " + String.join(" ", packages);
    if (!ExternalCommand.runningAsRoot() || ExternalCommand.locate("apt-get").isEmpty()) {
      throw new ServerStartException(
          what
              + " is not installed and cannot be installed automatically "
              + "(that needs root and apt-get); install it with: sudo "
              + command);
    }
    synchronized (IN_JVM_LOCK) {
      try (FileChannel channel =
          FileChannel.open(LOCK_FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        channel.lock(); // released when the channel closes
        found = locate.get(); // another JVM may have installed it while we waited for the lock
        if (found.isPresent()) {
          return found.get();
        }
        System.err.println(
            "[idempo-test-support] "
                + what
                + " is not installed; installing it for the "
                + "tests with: apt-get update && "
                + command);
        // Wait for dpkg's own lock rather than fail if someone else is installing something.
        String waitForDpkg = "-oDPkg::Lock::Timeout=600";
        apt(what, command, List.of("apt-get", waitForDpkg, "update"));
        List<String> install =
            new ArrayList<>(
                List.of("apt-get", waitForDpkg, "install", "-y", "--no-install-recommends"));
        install.addAll(packages);
        apt(what, command, install);
      } catch (IOException e) {
        throw new ServerStartException(
            "could not lock " + LOCK_FILE + " to install " + what + "; install it with: " + command,
            e);
      }
    }
    return locate
        .get()
        .orElseThrow(
            () ->
                new ServerStartException(
                    "installed "
                        + packages
                        + " but still cannot"
                        + " find "
                        + what
                        + "; install it by hand with: "
                        + command));
  }

  private static void apt(String what, String installCommand, List<String> command) {
    List<String> withEnvironment =
        new ArrayList<>(List.of("env", "DEBIAN_FRONTEND=noninteractive"));
    withEnvironment.addAll(command);
    ExternalCommand.Result result = ExternalCommand.run(withEnvironment, APT_TIMEOUT);
    if (!result.succeeded()) {
      String output = result.output().strip();
      throw new ServerStartException(
          "could not install "
              + what
              + ": `"
              + String.join(" ", command)
              + "` exited with "
              + result.exitCode()
              + "; install it with: "
              + installCommand
              + "\n"
              + output.substring(Math.max(0, output.length() - 4000)));
    }
    System.err.println("[idempo-test-support] done: " + String.join(" ", command));
  }
}
