package dev.idempo.cli.demo;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * A deliberately naive payments service over HTTP (Jetty): every {@code POST /charges} appends a
 * charge to its ledger and answers {@code 201 {"id":"ch_N","order":N}}. It knows nothing of
 * idempotency keys, like most services in the wild. For the demo only.
 */
final class PaymentsService implements AutoCloseable {
  private static final Pattern ORDER = Pattern.compile("\"order\"\\s*:\\s*(\\d+)");
  private static final long SERVICE_TIME_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  private final Ledger ledger = new Ledger();
  private final Server server = new Server(new QueuedThreadPool(64));
  private final ServerConnector connector = new ServerConnector(server);

  PaymentsService() throws IOException {
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            charge(request, response, callback);
            return true;
          }
        });
    try {
      server.start();
    } catch (Exception e) {
      throw new IOException("the payments service could not start: " + e.getMessage(), e);
    }
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + connector.getLocalPort());
  }

  Ledger ledger() {
    return ledger;
  }

  private void charge(Request request, Response response, Callback callback) throws IOException {
    String body = Content.Source.asString(request, StandardCharsets.UTF_8);
    Matcher order = ORDER.matcher(body);
    if (!"POST".equals(request.getMethod()) || !order.find()) {
      Response.writeError(request, response, callback, 400);
      return;
    }
    LockSupport.parkNanos(SERVICE_TIME_NANOS); // talking to the card network
    int number = Integer.parseInt(order.group(1));
    String id = ledger.append(number);
    byte[] answer =
        ("{\"id\":\"" + id + "\",\"order\":" + number + "}").getBytes(StandardCharsets.UTF_8);
    response.setStatus(201);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.length);
    response.write(true, ByteBuffer.wrap(answer), callback);
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      // stopping a demo server: nothing to save
    }
  }
}
