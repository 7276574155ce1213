package dev.idempo.gateway;

import dev.idempo.cli.GatewayMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A gateway in its own JVM (the command's {@link GatewayMain} on this test's class path), so it can
 * be killed with SIGKILL, stopped with SIGTERM and restarted like the real thing.
 */
final class GatewayProcess implements AutoCloseable {
  static final Pattern READY =
      Pattern.compile(
          "idempo gateway listening on (http://[^ ]+:(\\d+)) -> ([^ ]+) \\(store: (.+)\\)");
  private static final AtomicInteger COUNT = new AtomicInteger();
  private static final String EOF = "\u0000eof";

  private final Process process;
  private final Path stderr;
  private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
  private final List<String> stdoutLines = new ArrayList<>();
  private String readyLine;
  private int port = -1;

  private GatewayProcess(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  stdout.add(line);
                }
              } catch (IOException e) {
                // the process went away
              } finally {
                stdout.add(EOF);
              }
            },
            "gateway-process-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code GatewayMain args} with {@code directory} as its working directory. */
  static GatewayProcess start(Path directory, String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx160m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto",
                "-cp",
                System.getProperty("java.class.path"),
                GatewayMain.class.getName()));
    command.addAll(List.of(args));
    Path stderr = directory.resolve("gateway-" + COUNT.incrementAndGet() + ".err");
    Process process =
        new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectError(stderr.toFile())
            .start();
    return new GatewayProcess(process, stderr);
  }

  /**
   * Waits for the ready line and answers it.
   *
   * @throws AssertionError with the process's stderr if it exits or stays silent
   */
  String awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (readyLine == null) {
      String line = stdout.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null || line.equals(EOF)) {
        throw new AssertionError(
            "the gateway did not print its ready line; stdout "
                + stdoutLines
                + ", stderr:\n"
                + stderr());
      }
      stdoutLines.add(line);
      Matcher ready = READY.matcher(line);
      if (ready.matches()) {
        readyLine = line;
        port = Integer.parseInt(ready.group(2));
      }
    }
    return readyLine;
  }

  int port() {
    return port;
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Every line printed on stdout so far (after {@link #awaitReady}). */
  List<String> stdoutLines() {
    return List.copyOf(stdoutLines);
  }

  String stderr() {
    try {
      return Files.exists(stderr) ? Files.readString(stderr) : "";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** SIGKILL: no shutdown hook, no draining, nothing written on the way out. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM: the JVM runs its shutdown hooks, so the gateway drains and stops. */
  void terminate() {
    process.destroy();
  }

  /** Waits for the process to end and answers its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(
          "the gateway did not exit within " + timeout + "; stderr:\n" + stderr());
    }
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
