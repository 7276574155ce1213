package dev.idempo.gateway;

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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real upstream on a loopback port for webhook forwarding: records every delivery (path,
 * Idempotency-Key, signature header, body) and answers the status set last, optionally holding each
 * delivery until {@link #release()}.
 */
final class WebhookUpstream implements AutoCloseable {
  /** One delivery as it reached the upstream. */
  @SuppressWarnings("ArrayRecordComponent") // tests read the body, never compare records
  record Delivery(String path, String idempotencyKey, String stripeSignature, byte[] body) {
    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final HttpServer server;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "webhook-upstream");
            thread.setDaemon(true);
            return thread;
          });
  private final List<Delivery> deliveries = Collections.synchronizedList(new ArrayList<>());
  private volatile int status = 204;
  private volatile CountDownLatch hold = new CountDownLatch(0);
  private final CountDownLatch firstArrived = new CountDownLatch(1);

  private WebhookUpstream(HttpServer server) {
    this.server = server;
  }

  /** On {@code port} (0: any free one). */
  static WebhookUpstream start(int port) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
    WebhookUpstream upstream = new WebhookUpstream(server);
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

  /** The status every later delivery is answered with (204 at first). */
  void answer(int status) {
    this.status = status;
  }

  /** Holds every later delivery until {@link #release()}. */
  void holdDeliveries() {
    hold = new CountDownLatch(1);
  }

  void release() {
    hold.countDown();
  }

  /** Waits until the first delivery reached the upstream. */
  boolean awaitFirst() throws InterruptedException {
    return firstArrived.await(30, TimeUnit.SECONDS);
  }

  List<Delivery> deliveries() {
    synchronized (deliveries) {
      return List.copyOf(deliveries);
    }
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    threads.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    deliveries.add(
        new Delivery(
            exchange.getRequestURI().getRawPath(),
            exchange.getRequestHeaders().getFirst("Idempotency-Key"),
            exchange.getRequestHeaders().getFirst("Stripe-Signature"),
            body));
    firstArrived.countDown();
    int answer = status;
    try {
      hold.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    byte[] reply = ("{\"upstream\":" + answer + "}").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    if (answer == 204) {
      exchange.sendResponseHeaders(204, -1);
    } else {
      exchange.sendResponseHeaders(answer, reply.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(reply);
      }
    }
    exchange.close();
  }
}
