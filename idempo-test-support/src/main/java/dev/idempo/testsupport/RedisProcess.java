package dev.idempo.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a standalone {@link RedisServer} and a {@link RedisClusterNode} share: the {@code
 * redis-server} command line without persistence, readiness by {@code PING}, shutdown by {@code
 * SHUTDOWN NOSAVE}, and one-off commands over plain RESP.
 *
 * <p>Thread-safe: lifecycle methods are synchronized; {@link #call} opens a socket per call.
 */
abstract class RedisProcess extends LoopbackServer {
  private final Path executable;

  RedisProcess(String name, Path executable, Path directory, boolean shared) {
    super(name, ServerUser.current(), directory, shared);
    this.executable = executable;
  }

  /**
   * Sends one command over plain RESP and returns the reply as text: a simple or bulk string, an
   * integer in decimal, an error as {@code -ERR ...}, "" if the server is unreachable.
   */
  public String call(String... args) {
    return call(port(), args);
  }

  /** {@code redis-server} on {@code port} without persistence; subclasses append to it. */
  final List<String> baseCommand(int port) {
    return new ArrayList<>(
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
  }

  @Override
  final boolean answers(int port) {
    return "PONG".equals(call(port, "PING"));
  }

  @Override
  final void requestShutdown(int port) {
    call(port, "SHUTDOWN", "NOSAVE");
  }

  @Override
  final Duration pollInterval() {
    return Duration.ofMillis(20);
  }

  private String call(int port, String... args) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host(), port), 1000);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write(request(args));
      out.flush();
      return reply(new BufferedInputStream(socket.getInputStream()));
    } catch (IOException e) {
      return "";
    }
  }

  private static byte[] request(String... args) {
    StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
    for (String arg : args) {
      request
          .append('$')
          .append(arg.getBytes(StandardCharsets.UTF_8).length)
          .append("\r\n")
          .append(arg)
          .append("\r\n");
    }
    return request.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Reads one reply; arrays come back as their elements joined by newlines. */
  private static String reply(InputStream in) throws IOException {
    String line = line(in);
    if (line.isEmpty()) {
      return "";
    }
    String rest = line.substring(1);
    switch (line.charAt(0)) {
      case '+', ':' -> {
        return rest;
      }
      case '-' -> {
        return line;
      }
      case '$' -> {
        int length = Integer.parseInt(rest);
        if (length < 0) {
          return "";
        }
        byte[] bulk = in.readNBytes(length + 2);
        return new String(bulk, 0, length, StandardCharsets.UTF_8);
      }
      case '*' -> {
        int count = Integer.parseInt(rest);
        List<String> elements = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          elements.add(reply(in));
        }
        return String.join("\n", elements);
      }
      default -> throw new UncheckedIOException(new IOException("not a RESP reply: " + line));
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.UTF_8);
  }
}
