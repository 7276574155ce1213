package dev.idempo.testsupport;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Forks long-lived server processes so that they die with the JVM, and kills them with their
 * children.
 */
final class ServerProcessLauncher {
  // PR_SET_PDEATHSIG (setpriv --pdeathsig) fires when the *thread* that forked the child ends, so
  // every
  // server is forked from this one thread, which lives as long as the JVM. A JVM killed by SIGKILL,
  // which runs no shutdown hook, then still takes its servers with it.
  private static final ExecutorService FORKING_THREAD =
      Executors.newSingleThreadExecutor(
          task -> {
            Thread thread = new Thread(task, "idempo-test-server-launcher");
            thread.setDaemon(true);
            return thread;
          });

  private ServerProcessLauncher() {}

  /**
   * Starts {@code command} (already wrapped by {@link ServerUser#command}) appending its output to
   * {@code log}.
   */
  static Process launch(List<String> command, Path workingDirectory, Path log) {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workingDirectory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(Redirect.appendTo(log.toFile()))
            .redirectInput(Redirect.from(Path.of("/dev/null").toFile()));
    try {
      return FORKING_THREAD.submit(builder::start).get();
    } catch (ExecutionException e) {
      throw new ServerStartException(
          "could not run " + command + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerStartException("interrupted while starting " + command, e);
    }
  }

  /**
   * SIGKILLs the process and everything it forked (for PostgreSQL, the backends), then waits for
   * them.
   */
  static void killTree(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    awaitExit(process.toHandle(), Duration.ofSeconds(10));
    descendants.forEach(child -> awaitExit(child, Duration.ofSeconds(10)));
  }

  static boolean awaitExit(ProcessHandle process, Duration timeout) {
    CompletableFuture<ProcessHandle> exit = process.onExit();
    try {
      exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return !process.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  enum Readiness {
    READY,
    EXITED,
    TIMED_OUT
  }

  /**
   * Polls {@code ready} every {@code interval} until it holds, the process exits, or {@code
   * timeout} passes.
   */
  static Readiness awaitReady(
      Process process, BooleanSupplier ready, Duration interval, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (ready.getAsBoolean()) {
        return Readiness.READY;
      }
      if (!process.isAlive()) {
        return Readiness.EXITED;
      }
      if (System.nanoTime() - deadline > 0) {
        return Readiness.TIMED_OUT;
      }
      try {
        process.waitFor(interval.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ServerStartException(
            "interrupted while waiting for " + process.info().command(), e);
      }
    }
  }
}
