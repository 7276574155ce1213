package dev.idempo.http.tck;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A {@link ContractApplication} served on a loopback port by the JDK's HTTP server: the upstream a
 * proxy adapter (the gateway) is put in front of. Thread-safe; one thread per request, so blocked
 * runs never hold up others.
 */
public final class ContractUpstream implements AutoCloseable {
  private final ContractApplication application;
  private final HttpServer server;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "contract-upstream");
            thread.setDaemon(true);
            return thread;
          });

  private ContractUpstream(ContractApplication application, HttpServer server) {
    this.application = application;
    this.server = server;
  }

  /** Starts serving {@code application} on a free loopback port. */
  public static ContractUpstream start(ContractApplication application) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    ContractUpstream upstream = new ContractUpstream(application, server);
    server.createContext("/", upstream::serve);
    server.setExecutor(upstream.threads);
    server.start();
    return upstream;
  }

  /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
  public URI uri() {
    InetSocketAddress address = server.getAddress();
    return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      URI target = exchange.getRequestURI();
      ContractApplication.Response response =
          application.handle(
              new ContractApplication.Request(
                  exchange.getRequestMethod(),
                  target.getRawPath(),
                  target.getRawQuery(),
                  exchange.getRequestHeaders(),
                  exchange.getRequestBody().readAllBytes()));
      for (Map.Entry<String, List<String>> header : response.headers().entrySet()) {
        exchange.getResponseHeaders().put(header.getKey(), header.getValue());
      }
      boolean bodiless = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(response.status(), bodiless ? -1 : response.body().length);
      if (!bodiless) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(response.body());
        }
      }
    }
  }

  @Override
  public void close() {
    application.releaseAll();
    server.stop(0);
    threads.shutdownNow();
  }

  @Override
  public String toString() {
    return "ContractUpstream[" + uri() + "]";
  }
}
