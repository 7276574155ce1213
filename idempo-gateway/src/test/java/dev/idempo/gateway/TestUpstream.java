package dev.idempo.gateway;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real upstream on a loopback port (the JDK's HTTP server) that counts executions and records
 * what reached it. Behaviour by path:
 *
 * <ul>
 *   <li>{@code /slow/MILLIS}: answers after MILLIS ms;
 *   <li>{@code /hang}: answers only once {@link #releaseHanging()} is called;
 *   <li>{@code /large/BYTES}: answers 200 with a body of BYTES bytes;
 *   <li>{@code /status/CODE}: answers CODE;
 *   <li>{@code /close}: drops the connection without answering;
 *   <li>{@code /truncated}: promises 1000 bytes, sends 10 and drops the connection;
 *   <li>{@code /hop}: answers with hop-by-hop headers ({@code Connection} naming one, {@code
 *       Proxy-Authenticate}) next to an end-to-end one;
 *   <li>anything else: 201 with {@code {"execution":N}}, a Location, an ETag and a Set-Cookie.
 * </ul>
 */
final class TestUpstream implements AutoCloseable {
  /** What one request looked like when it reached the upstream. */
  @SuppressWarnings("ArrayRecordComponent") // tests read the body, never compare records
  record Received(
      String method, String pathAndQuery, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      List<String> values = headers.get(name);
      return values == null ? null : String.join(",", values);
    }
  }

  private final HttpServer server;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "test-upstream");
            thread.setDaemon(true);
            return thread;
          });
  private final AtomicInteger executions = new AtomicInteger();
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch hanging = new CountDownLatch(1);

  private TestUpstream(HttpServer server) {
    this.server = server;
  }

  static TestUpstream start() throws IOException {
    return start(0);
  }

  /** On {@code port} (0: any free one). */
  static TestUpstream start(int port) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
    TestUpstream upstream = new TestUpstream(server);
    server.createContext("/", upstream::handle);
    server.setExecutor(upstream.threads);
    server.start();
    return upstream;
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** How many requests reached the upstream (each is one execution). */
  int executions() {
    return executions.get();
  }

  List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  Received last() {
    List<Received> all = received();
    return all.get(all.size() - 1);
  }

  void releaseHanging() {
    hanging.countDown();
  }

  @Override
  public void close() {
    releaseHanging();
    server.stop(0);
    threads.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, List.copyOf(values)));
    String pathAndQuery =
        exchange.getRequestURI().getRawPath()
            + (exchange.getRequestURI().getRawQuery() == null
                ? ""
                : "?" + exchange.getRequestURI().getRawQuery());
    received.add(new Received(exchange.getRequestMethod(), pathAndQuery, headers, body));
    int execution = executions.incrementAndGet();
    String path = exchange.getRequestURI().getPath();
    try {
      if (path.startsWith("/slow/")) {
        Thread.sleep(Long.parseLong(path.substring("/slow/".length())));
      } else if (path.equals("/hang")) {
        hanging.await(60, TimeUnit.SECONDS);
      } else if (path.startsWith("/large/")) {
        byte[] large = new byte[Integer.parseInt(path.substring("/large/".length()))];
        java.util.Arrays.fill(large, (byte) 'x');
        respond(exchange, 200, "application/octet-stream", large);
        return;
      } else if (path.startsWith("/status/")) {
        respond(
            exchange,
            Integer.parseInt(path.substring("/status/".length())),
            "application/json",
            ("{\"execution\":" + execution + "}").getBytes(StandardCharsets.UTF_8));
        return;
      } else if (path.equals("/hop")) {
        Headers hop = exchange.getResponseHeaders();
        hop.add("Connection", "X-Upstream-Hop");
        hop.add("X-Upstream-Hop", "for-this-hop-only");
        hop.add("Proxy-Authenticate", "Basic realm=\"upstream\"");
        hop.add("X-End-To-End", "kept");
        respond(exchange, 200, "text/plain", "ok".getBytes(StandardCharsets.UTF_8));
        return;
      } else if (path.equals("/truncated")) {
        exchange.sendResponseHeaders(200, 1000);
        OutputStream out = exchange.getResponseBody();
        out.write("only ten b".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        exchange.close(); // 990 bytes short: the connection is dropped
        return;
      } else if (path.equals("/close")) {
        exchange.close(); // no response: the connection is dropped
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    Headers response = exchange.getResponseHeaders();
    response.add("Location", "/things/" + execution);
    response.add("ETag", "\"e" + execution + "\"");
    response.add("Set-Cookie", "session=s" + execution);
    response.add("X-Upstream", "yes");
    respond(
        exchange,
        201,
        "application/json",
        ("{\"execution\":" + execution + "}").getBytes(StandardCharsets.UTF_8));
  }

  private static void respond(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean empty = status == 204 || status == 304 || exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, empty ? -1 : body.length);
    if (!empty) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
    exchange.close();
  }
}
