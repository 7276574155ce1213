package dev.idempo.benchmarks;

import dev.idempo.http.IdempotencyRoute;
import dev.idempo.servlet.IdempotencyFilter;
import dev.idempo.store.InMemoryIdempotencyStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One Jetty servlet container with the same {@code POST /charges} endpoint twice: at {@code
 * /plain/charges} without Idempo and at {@code /guarded/charges} behind the {@link
 * IdempotencyFilter} on the in-memory store. The load script drives both with wrk in one run, so
 * the filter's added latency is a difference measured side by side.
 *
 * <p>The guarded route keeps responses for {@code RETENTION_SECONDS} (10 by default), so under load
 * the store holds a steady number of records (about ten seconds' worth; expired ones are reclaimed
 * as new keys arrive), as a service whose live records stay under the store's cap does. With a
 * day's retention the store would grow for the whole run, each row would pay for the records of
 * every row before it (the collector copies them), and after two million keys it would refuse
 * claims with 503.
 *
 * <pre>
 * java -cp benchmarks.jar dev.idempo.benchmarks.ServletFilterServer PORT [SERVICE_TIME_MICROS]
 *     [RETENTION_SECONDS]
 * </pre>
 */
public final class ServletFilterServer {
  private static final byte[] BODY =
      "{\"id\":\"ch_1\",\"amount\":1000}".getBytes(StandardCharsets.UTF_8);

  private ServletFilterServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long serviceNanos =
        TimeUnit.MICROSECONDS.toNanos(args.length > 1 ? Long.parseLong(args[1]) : 0);
    Duration retention = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 10);
    Server server = new Server(new QueuedThreadPool(256));
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler();
    HttpServlet charges =
        new HttpServlet() {
          @Override
          protected void doPost(HttpServletRequest request, HttpServletResponse response)
              throws IOException {
            request.getInputStream().readAllBytes();
            if (serviceNanos > 0) {
              LockSupport.parkNanos(serviceNanos);
            }
            response.setStatus(201);
            response.setContentType("application/json");
            response.setContentLength(BODY.length);
            response.getOutputStream().write(BODY);
          }
        };
    context.addServlet(new ServletHolder(charges), "/plain/charges");
    context.addServlet(new ServletHolder(charges), "/guarded/charges");
    IdempotencyFilter filter =
        IdempotencyFilter.builder(InMemoryIdempotencyStore.builder().maxRecords(2_000_000).build())
            .route(IdempotencyRoute.builder("/guarded/charges").retention(retention).build())
            .build();
    context.addFilter(new FilterHolder(filter), "/guarded/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    server.start();
    System.out.println(
        "servlet benchmark server on http://127.0.0.1:"
            + connector.getLocalPort()
            + " (/plain/charges, /guarded/charges)");
    server.join();
  }
}
