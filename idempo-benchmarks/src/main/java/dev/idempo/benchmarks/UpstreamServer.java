package dev.idempo.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The upstream of the HTTP load runs: answers every request {@code 201 {"id":"ch_1"}} after an
 * optional service time, like a payments endpoint that did its work.
 *
 * <pre>java -cp benchmarks.jar dev.idempo.benchmarks.UpstreamServer PORT [SERVICE_TIME_MICROS]
 * </pre>
 */
public final class UpstreamServer {
  private static final byte[] BODY =
      "{\"id\":\"ch_1\",\"amount\":1000}".getBytes(StandardCharsets.UTF_8);

  private UpstreamServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long serviceNanos =
        TimeUnit.MICROSECONDS.toNanos(args.length > 1 ? Long.parseLong(args[1]) : 0);
    Server server = new Server(new QueuedThreadPool(256));
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            Content.Source.consumeAll(request);
            if (serviceNanos > 0) {
              LockSupport.parkNanos(serviceNanos);
            }
            response.setStatus(201);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, BODY.length);
            response.write(true, ByteBuffer.wrap(BODY), callback);
            return true;
          }
        });
    server.start();
    System.out.println(
        "upstream listening on http://127.0.0.1:"
            + connector.getLocalPort()
            + " (service time "
            + serviceNanos / 1000
            + " µs)");
    server.join();
  }
}
