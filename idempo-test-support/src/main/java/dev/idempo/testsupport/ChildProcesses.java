package dev.idempo.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Child JVMs on the test's class path (crash tests SIGKILL them), and waiting for a line they
 * print. Thread-safe.
 */
public final class ChildProcesses {
  private ChildProcesses() {}

  public static Process start(Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx96m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(main.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** Reads the child's output until {@code expected}; fails with what it printed otherwise. */
  public static void awaitLine(Process child, String expected) throws Exception {
    awaitLines(child, expected, 1);
  }

  /** Reads the child's output until it printed {@code expected} {@code count} times. */
  public static void awaitLines(Process child, String expected, int count) throws Exception {
    assertTrue(
        readUntil(child, expected, count, 180),
        "the child never printed \"" + expected + "\" " + count + " times");
  }

  /**
   * Reads the child's output until it printed {@code expected} {@code count} times (true) or {@code
   * seconds} passed (false): for kill points in a stream that may run dry first.
   */
  public static boolean readUntil(Process child, String expected, int count, int seconds)
      throws Exception {
    StringBuilder output = new StringBuilder();
    CompletableFuture<Boolean> seen =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                BufferedReader reader =
                    new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                int matches = 0;
                for (String line; (line = reader.readLine()) != null; ) {
                  synchronized (output) {
                    if (output.length() < 20_000) {
                      output.append(line).append('\n');
                    }
                  }
                  if (line.equals(expected) && ++matches == count) {
                    return true;
                  }
                }
                return false;
              } catch (IOException e) {
                return false;
              }
            });
    boolean found;
    try {
      found = seen.get(seconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      found = false;
    }
    if (!found) {
      synchronized (output) {
        System.err.println(
            "the child printed \""
                + expected
                + "\" fewer than "
                + count
                + " times in "
                + seconds
                + " s; its output:\n"
                + output);
      }
    }
    return found;
  }

  /** SIGKILL, and wait until it is gone. */
  public static void kill(Process child) throws InterruptedException {
    child.destroyForcibly();
    assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
  }
}
