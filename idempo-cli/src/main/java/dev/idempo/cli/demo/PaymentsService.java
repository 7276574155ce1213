package dev.idempo.cli.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deliberately naive payments service over HTTP: every {@code POST /charges} appends a charge to
 * its ledger and answers {@code 201 {"id":"ch_N","order":N}}. It knows nothing of idempotency
 * keys, like most services in the wild. Not for production, obviously: for the demo.
 */
final class PaymentsService implements AutoCloseable {
  private static final Pattern ORDER = Pattern.compile("\"order\"\\s*:\\s*(\\d+)");
  private static final long SERVICE_TIME_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  private final Ledger ledger = new Ledger();
  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(32);

  PaymentsService() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    server.createContext("/charges", this::charge);
    server.setExecutor(threads);
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  Ledger ledger() {
    return ledger;
  }

  private void charge(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] request = exchange.getRequestBody().readAllBytes();
      Matcher order = ORDER.matcher(new String(request, StandardCharsets.UTF_8));
      if (!"POST".equals(exchange.getRequestMethod()) || !order.find()) {
        exchange.sendResponseHeaders(400, -1);
        return;
      }
      LockSupport.parkNanos(SERVICE_TIME_NANOS); // talking to the card network
      int number = Integer.parseInt(order.group(1));
      String id = ledger.append(number);
      byte[] body = ("{\"id\":\"" + id + "\",\"order\":" + number + "}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(201, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
