package dev.idempo.gateway;

import dev.idempo.store.InMemoryIdempotencyStore;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Bytes the gateway's event loops allocate per forwarded request: a measurement, not a test (run
 * its {@code main} by hand, see docs/benchmarks.md). A no-op upstream on a raw socket answers every
 * request with the same 201; one keep-alive caller sends {@code POST}s with a new key each, as
 * {@code fresh-key.lua} does; the figure is the growth of {@code getThreadAllocatedBytes} of the
 * threads named {@code idempo-gateway-loop*} over the measured requests, divided by their number.
 * Deterministic where wall-clock figures on a loaded machine are not.
 *
 * <p>Arguments: warm-up requests (default 50000), measured requests (default 20000), engine
 * (default NETTY).
 */
final class AllocationProbe {
  private static final byte[] ANSWER =
      ("HTTP/1.1 201 Created\r\nServer: noop\r\nDate: Mon, 30 Nov 2026 02:00:00 GMT\r\n"
              + "Content-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"charged\":true}")
          .getBytes(StandardCharsets.ISO_8859_1);

  private AllocationProbe() {}

  public static void main(String[] args) throws Exception {
    int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    int measured = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    Engine engine = args.length > 2 ? Engine.valueOf(args[2]) : Engine.NETTY;
    try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread accepting = new Thread(() -> serve(upstream), "noop-upstream");
      accepting.setDaemon(true);
      accepting.start();
      InMemoryIdempotencyStore store = InMemoryIdempotencyStore.create();
      try (Gateway gateway =
          new Gateway(
              GatewayConfig.builder(URI.create("http://127.0.0.1:" + upstream.getLocalPort()))
                  .engine(engine)
                  .listen("127.0.0.1", 0)
                  .store(store)
                  .build())) {
        gateway.start();
        try (Socket caller =
            new Socket(InetAddress.getLoopbackAddress(), gateway.uri().getPort())) {
          caller.setTcpNoDelay(true);
          OutputStream out = caller.getOutputStream();
          InputStream in = new BufferedInputStream(caller.getInputStream());
          send(out, in, "w", warmup);
          long before = loopBytes();
          send(out, in, "m", measured);
          long after = loopBytes();
          System.out.printf(
              Locale.ROOT,
              "%s engine, memory store, new keys: %d B allocated per forwarded request"
                  + " on the event loops (%d requests after %d warm-up)%n",
              engine,
              (after - before) / measured,
              measured,
              warmup);
        }
      }
    }
  }

  private static void send(OutputStream out, InputStream in, String prefix, int count)
      throws IOException {
    byte[] body = "{\"order\":42,\"amount\":1000}".getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < count; i++) {
      String head =
          "POST /charges HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              + "Authorization: Bearer wrk-client\r\nIdempotency-Key: probe-"
              + prefix
              + "-"
              + i
              + "\r\nContent-Length: "
              + body.length
              + "\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      int status = readResponse(in);
      if (status != 201) {
        throw new IllegalStateException("request " + i + " answered " + status);
      }
    }
  }

  /** Reads one response with a Content-Length body; returns its status. */
  private static int readResponse(InputStream in) throws IOException {
    String statusLine = readLine(in);
    int status = Integer.parseInt(statusLine.substring(9, 12));
    in.readNBytes(contentLength(in));
    return status;
  }

  /** Reads header lines up to the blank one; returns the Content-Length (0 without one). */
  private static int contentLength(InputStream in) throws IOException {
    int length = 0;
    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      if (line.substring(0, colon).equalsIgnoreCase("content-length")) {
        length = Integer.parseInt(line.substring(colon + 1).trim());
      }
    }
    return length;
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  private static void serve(ServerSocket server) {
    while (true) {
      try {
        Socket connection = server.accept();
        Thread thread = new Thread(() -> answer(connection), "noop-upstream-connection");
        thread.setDaemon(true);
        thread.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void answer(Socket connection) {
    try (connection) {
      InputStream in = new BufferedInputStream(connection.getInputStream());
      OutputStream out = connection.getOutputStream();
      while (true) {
        readLine(in); // the request line
        in.readNBytes(contentLength(in));
        out.write(ANSWER);
        out.flush();
      }
    } catch (IOException e) {
      // the gateway closed the connection
    }
  }

  /**
   * The loops' allocated bytes, through {@code com.sun.management.ThreadMXBean} by reflection: the
   * module's tests are compiled against a module that does not read {@code jdk.management}.
   */
  private static long loopBytes() throws ReflectiveOperationException {
    Method allocated =
        Class.forName("com.sun.management.ThreadMXBean")
            .getMethod("getThreadAllocatedBytes", long.class);
    Object threads = ManagementFactory.getThreadMXBean();
    long total = 0;
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith("idempo-gateway-loop")) {
        total += (Long) allocated.invoke(threads, thread.getId());
      }
    }
    return total;
  }
}
