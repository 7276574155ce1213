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
 * One {@code redis-server --cluster-enabled yes} process of a {@link RedisCluster}, on 127.0.0.1
 * and a free port, with its own temp directory holding its {@code cluster-config-file} ({@code
 * nodes.conf}) and log. {@link #kill()} SIGKILLs it like a crash.
 *
 * <p>Thread-safe: lifecycle methods are synchronized; {@link #call} opens a socket per call.
 */
public final class RedisClusterNode extends LoopbackServer {
  private final Path executable;
  private final Duration nodeTimeout;

  private RedisClusterNode(Path executable, Path directory, Duration nodeTimeout) {
    super("redis-cluster-node", ServerUser.current(), directory, false);
    this.executable = executable;
    this.nodeTimeout = nodeTimeout;
  }

  /** Starts a node that belongs to no cluster yet and waits until it answers PING. */
  static RedisClusterNode start(Path executable, Path parent, Duration nodeTimeout) {
    Path directory = createDirectory(parent, "node-");
    RedisClusterNode node = new RedisClusterNode(executable, directory, nodeTimeout);
    node.startOnFreePort();
    return node;
  }

  /** {@code 127.0.0.1:PORT}, as {@code redis-cli --cluster create} takes it. */
  public String address() {
    return host() + ":" + port();
  }

  /** {@code redis://127.0.0.1:PORT}. */
  public String uri() {
    return "redis://" + address();
  }

  /**
   * Sends one command over plain RESP and returns the reply as text: a simple or bulk string, an
   * integer in decimal, an error as {@code -ERR ...}, "" if the node is unreachable.
   */
  public String call(String... args) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host(), port()), 1000);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write(request(args));
      out.flush();
      return reply(new BufferedInputStream(socket.getInputStream()));
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  List<String> command(int port) {
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
            "noeviction",
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            directory().resolve("nodes.conf").toString(),
            "--cluster-node-timeout",
            Long.toString(nodeTimeout.toMillis())));
  }

  @Override
  boolean answers(int port) {
    return "PONG".equals(call("PING"));
  }

  @Override
  void requestShutdown(int port) {
    call("SHUTDOWN", "NOSAVE");
  }

  @Override
  Duration pollInterval() {
    return Duration.ofMillis(20);
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
