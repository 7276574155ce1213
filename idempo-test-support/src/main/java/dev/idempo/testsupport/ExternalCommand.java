package dev.idempo.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A short-lived command run to completion, its output captured; for servers see {@link
 * ServerProcessLauncher}.
 */
final class ExternalCommand {
  private ExternalCommand() {}

  /** Outcome of a finished command; {@code output} holds stdout and stderr interleaved. */
  record Result(List<String> command, int exitCode, String output) {
    boolean succeeded() {
      return exitCode == 0;
    }

    Result orThrow() {
      if (!succeeded()) {
        throw new ServerStartException(
            "`" + String.join(" ", command) + "` exited with " + exitCode + ":\n" + output.strip());
      }
      return this;
    }
  }

  static Result run(List<String> command, Duration timeout) {
    return run(command, null, timeout);
  }

  /**
   * Runs {@code command} in {@code workingDirectory} (null: the JVM's), killing it after {@code
   * timeout}.
   */
  static Result run(List<String> command, Path workingDirectory, Duration timeout) {
    Path output = null;
    try {
      output = Files.createTempFile("idempo-command-", ".out");
      Process process =
          new ProcessBuilder(command)
              .directory(workingDirectory == null ? null : workingDirectory.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        return new Result(
            command, -1, "timed out after " + timeout + "\n" + Files.readString(output));
      }
      return new Result(
          command, process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(command, -1, "could not run: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerStartException("interrupted while running " + command, e);
    } finally {
      deleteQuietly(output);
    }
  }

  /**
   * Finds an executable on PATH or in the usual system directories (root's PATH may lack the sbin
   * ones).
   */
  static Optional<Path> locate(String name) {
    Set<String> directories = new LinkedHashSet<>();
    String path = System.getenv("PATH");
    if (path != null) {
      directories.addAll(List.of(path.split(File.pathSeparator)));
    }
    directories.addAll(
        List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
    return directories.stream()
        .filter(directory -> !directory.isEmpty())
        .map(directory -> Path.of(directory, name))
        .filter(Files::isExecutable)
        .findFirst();
  }

  static boolean runningAsRoot() {
    if ("root".equals(System.getProperty("user.name"))) {
      return true;
    }
    Result id = run(List.of("id", "-u"), Duration.ofSeconds(10));
    return id.succeeded() && id.output().strip().equals("0");
  }

  static void deleteRecursively(Path directory) {
    if (directory == null || !Files.exists(directory)) {
      return;
    }
    try (var paths = Files.walk(directory)) {
      List<Path> all = new ArrayList<>(paths.toList());
      for (int i = all.size() - 1; i >= 0; i--) {
        Files.deleteIfExists(all.get(i));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + directory, e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      if (file != null) {
        Files.deleteIfExists(file);
      }
    } catch (IOException ignored) {
      // a leftover temp file is harmless
    }
  }
}
