package dev.idempo.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idempo.gateway.Gateway;
import dev.idempo.gateway.GatewayConfig;
import dev.idempo.gateway.StoreLocation;
import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.testsupport.PostgresServer;
import dev.idempo.webhooks.Secret;
import dev.idempo.webhooks.StripeVerifier;
import dev.idempo.webhooks.WebhookEndpointSpec;
import dev.idempo.webhooks.WebhookReceiver;
import dev.idempo.webhooks.WebhookRequest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Verified and deduplicated webhook deliveries per second through the gateway's {@code --webhook}
 * mode, next to plain forwarding of the same requests, in one run, on SQLite and PostgreSQL:
 *
 * <ul>
 *   <li><b>upstream alone</b>: the signed deliveries sent straight to the upstream;
 *   <li><b>gateway, plain forward</b>: the same deliveries to a path of the same gateway that is
 *       not a webhook endpoint (no key: passed through, the store untouched);
 *   <li><b>gateway, webhook, new events</b>: every delivery a new Stripe event: verified, claimed,
 *       forwarded with {@code Idempotency-Key: stripe:EVENT_ID}, completed;
 *   <li><b>gateway, webhook, duplicates</b>: the same event again and again: verified and answered
 *       200 from the store, never forwarded.
 * </ul>
 *
 * Then, to say where the time goes, single-threaded in the same JVM: the Stripe signature check
 * alone, and the store's claim + complete of a new event alone.
 *
 * <pre>java -cp benchmarks.jar dev.idempo.benchmarks.WebhookGatewayLoad [CLIENTS] [SECONDS]</pre>
 *
 * Clients are threads, each on one keep-alive connection, sending a request and waiting for its
 * answer (closed loop). Everything runs on loopback in this JVM except PostgreSQL.
 */
public final class WebhookGatewayLoad {
  private static final String SECRET = "whsec_benchmark_secret";
  private static final String PATH = "/hooks/stripe";

  private WebhookGatewayLoad() {}

  public static void main(String[] args) throws Exception {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Path work = Files.createTempDirectory("idempo-webhook-load");
    Path secretFile = Files.writeString(work.resolve("stripe-secret"), SECRET);
    Server upstream = upstream();
    int upstreamPort = ((ServerConnector) upstream.getConnectors()[0]).getLocalPort();
    System.out.printf(
        Locale.ROOT,
        "%d clients, %d s per row after 5 s of warm-up; upstream answers 204%n",
        clients,
        seconds);
    List<String[]> rows = new ArrayList<>();
    try (PostgresServer postgres = PostgresServer.start()) {
      String pgUrl = postgres.jdbcUrl() + "?user=" + PostgresServer.USER;
      Map<String, String> stores =
          Map.of("sqlite", "sqlite:" + work.resolve("gateway.db"), "postgresql", pgUrl);
      for (String name : List.of("sqlite", "postgresql")) {
        GatewayConfig config =
            GatewayConfig.builder(URI.create("http://127.0.0.1:" + upstreamPort))
                .listen("127.0.0.1", 0)
                .storeLocation(StoreLocation.parse(stores.get(name)))
                .webhook(WebhookEndpointSpec.parse(PATH + "=stripe:file:" + secretFile))
                .build();
        try (Gateway gateway = new Gateway(config)) {
          int port = gateway.start();
          String run = name + "-" + System.nanoTime();
          double alone =
              rate(
                  rows,
                  name,
                  "upstream alone",
                  upstreamPort,
                  "/plain",
                  clients,
                  seconds,
                  i -> run + "-a-" + i);
          double plain =
              rate(
                  rows,
                  name,
                  "gateway, plain forward",
                  port,
                  "/plain",
                  clients,
                  seconds,
                  i -> run + "-p-" + i);
          double fresh =
              rate(
                  rows,
                  name,
                  "gateway, webhook, new events",
                  port,
                  PATH,
                  clients,
                  seconds,
                  i -> run + "-n-" + i);
          double duplicates =
              rate(
                  rows,
                  name,
                  "gateway, webhook, duplicates",
                  port,
                  PATH,
                  clients,
                  seconds,
                  i -> run + "-dup");
          System.out.printf(
              Locale.ROOT,
              "%s: new events / plain forward = %.2f; duplicates / plain forward = %.2f;"
                  + " plain forward / upstream alone = %.2f%n",
              name,
              fresh / plain,
              duplicates / plain,
              plain / alone);
        }
      }
      whereTimeGoes(secretFile, work, postgres);
    } finally {
      upstream.stop();
    }
  }

  /** Runs {@code clients} closed-loop clients for a warm-up and then {@code seconds}. */
  private static double rate(
      List<String[]> rows,
      String store,
      String scenario,
      int port,
      String path,
      int clients,
      int seconds,
      LongFunction<String> eventIds)
      throws Exception {
    AtomicLong sequence = new AtomicLong();
    run(port, path, clients, 5, eventIds, sequence); // warm-up (JIT, pools)
    long[] result = run(port, path, clients, seconds, eventIds, sequence);
    double perSecond = result[0] / (double) seconds;
    double meanMillis = result[0] == 0 ? 0 : result[2] / 1e6 / result[0];
    System.out.printf(
        Locale.ROOT,
        "%-10s %-30s %8.0f req/s  mean %6.2f ms  failed %d%n",
        store,
        scenario,
        perSecond,
        meanMillis,
        result[1]);
    rows.add(new String[] {store, scenario, Double.toString(perSecond)});
    return perSecond;
  }

  /** {answered, failed (non-2xx or a broken connection), total nanos}. */
  private static long[] run(
      int port,
      String path,
      int clients,
      int seconds,
      LongFunction<String> eventIds,
      AtomicLong sequence)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong answered = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong nanos = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  Mac mac = Mac.getInstance("HmacSHA256");
                  mac.init(
                      new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                  while (!stop.get()) {
                    // A broken connection counts as a failed request; the client reconnects.
                    try (Socket socket = new Socket()) {
                      socket.setTcpNoDelay(true);
                      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                      OutputStream out = socket.getOutputStream();
                      InputStream in = new BufferedInputStream(socket.getInputStream());
                      while (!stop.get()) {
                        byte[] request =
                            delivery(mac, path, eventIds.apply(sequence.incrementAndGet()));
                        long start = System.nanoTime();
                        out.write(request);
                        out.flush();
                        int status = readResponse(in);
                        nanos.addAndGet(System.nanoTime() - start);
                        answered.incrementAndGet();
                        if (status < 200 || status > 299) {
                          failed.incrementAndGet();
                        }
                      }
                    } catch (IOException e) {
                      failed.incrementAndGet();
                    }
                  }
                } catch (Exception e) {
                  synchronized (errors) {
                    errors.add(e);
                  }
                }
              },
              "webhook-load-" + c);
      threads.add(thread);
      thread.start();
    }
    Thread.sleep(seconds * 1000L);
    stop.set(true);
    for (Thread thread : threads) {
      thread.join();
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException("a client failed: " + errors.get(0), errors.get(0));
    }
    return new long[] {answered.get(), failed.get(), nanos.get()};
  }

  /** One Stripe-signed delivery of event {@code eventId}, signed now. */
  private static byte[] delivery(Mac mac, String path, String eventId) {
    String body =
        "{\"id\":\"evt_"
            + eventId
            + "\",\"object\":\"event\","
            + "\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{\"amount\":1000}}}";
    long timestamp = Instant.now().getEpochSecond();
    String signature =
        HexFormat.of()
            .formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: application/json\r\n"
            + "Stripe-Signature: t="
            + timestamp
            + ",v1="
            + signature
            + "\r\n"
            + "Content-Length: "
            + body.length()
            + "\r\n\r\n";
    return (head + body).getBytes(StandardCharsets.UTF_8);
  }

  /** Reads one response with a Content-Length (or none, for 204); returns its status. */
  private static int readResponse(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int status = -1;
    long length = 0;
    while (true) {
      line.setLength(0);
      int b;
      while ((b = in.read()) != '\n') {
        if (b == -1) {
          throw new IOException("the connection closed mid-response");
        }
        if (b != '\r') {
          line.append((char) b);
        }
      }
      if (line.length() == 0) {
        break;
      }
      String text = line.toString();
      if (status < 0) {
        status = Integer.parseInt(text.substring(9, 12));
      } else if (text.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        length = Long.parseLong(text.substring(15).trim());
      }
    }
    for (long skipped = 0; skipped < length; ) {
      long n = in.skip(length - skipped);
      if (n <= 0) {
        if (in.read() == -1) {
          throw new IOException("the connection closed mid-body");
        }
        n = 1;
      }
      skipped += n;
    }
    return status;
  }

  /**
   * Single-threaded, without HTTP: the signature check alone, then a {@link WebhookReceiver} with a
   * no-op handler (verify + claim + complete) on each store.
   */
  private static void whereTimeGoes(Path secretFile, Path work, PostgresServer postgres)
      throws Exception {
    StripeVerifier verifier = StripeVerifier.builder(Secret.fromFile(secretFile)).build();
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    List<WebhookRequest> requests = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      String body =
          "{\"id\":\"evt_v"
              + i
              + "\",\"object\":\"event\","
              + "\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{\"amount\":1000}}}";
      long timestamp = Instant.now().getEpochSecond();
      String signature =
          HexFormat.of()
              .formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
      requests.add(
          WebhookRequest.builder("POST", PATH)
              .header("Stripe-Signature", "t=" + timestamp + ",v1=" + signature)
              .body(body.getBytes(StandardCharsets.UTF_8))
              .build());
    }
    for (int round = 0; round < 20; round++) { // warm-up
      for (WebhookRequest request : requests) {
        verifier.verify(request, Instant.now());
      }
    }
    long start = System.nanoTime();
    int rounds = 20;
    for (int round = 0; round < rounds; round++) {
      for (WebhookRequest request : requests) {
        verifier.verify(request, Instant.now());
      }
    }
    double micros = (System.nanoTime() - start) / 1e3 / (rounds * requests.size());
    System.out.printf(Locale.ROOT, "Stripe signature check alone: %.1f µs per delivery%n", micros);
    // The gateway's own SQLite settings (StoreConnection): WAL, synchronous=NORMAL.
    try (HikariDataSource sqlite =
            pool(
                "jdbc:sqlite:"
                    + work.resolve("receiver.db")
                    + "?journal_mode=WAL&synchronous=NORMAL&busy_timeout=5000",
                "",
                4);
        HikariDataSource pg = pool(postgres.jdbcUrl(), postgres.user(), 4)) {
      receiverAlone("sqlite", JdbcIdempotencyStore.builder(sqlite).build(), verifier, mac);
      receiverAlone("postgresql", JdbcIdempotencyStore.builder(pg).build(), verifier, mac);
    }
  }

  private static void receiverAlone(
      String name, IdempotencyStore store, StripeVerifier verifier, Mac mac) {
    WebhookReceiver receiver =
        WebhookReceiver.builder(store).endpoint(PATH, verifier, event -> {}).build();
    String run = Long.toString(System.nanoTime());
    int warmUp = 2_000;
    int measured = 5_000;
    long start = 0;
    for (int i = 0; i < warmUp + measured; i++) {
      if (i == warmUp) {
        start = System.nanoTime();
      }
      String body =
          "{\"id\":\"evt_r"
              + run
              + "_"
              + i
              + "\",\"object\":\"event\","
              + "\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{\"amount\":1000}}}";
      long timestamp = Instant.now().getEpochSecond();
      String signature =
          HexFormat.of()
              .formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
      int status =
          receiver
              .receive(
                  WebhookRequest.builder("POST", PATH)
                      .header("Stripe-Signature", "t=" + timestamp + ",v1=" + signature)
                      .body(body.getBytes(StandardCharsets.UTF_8))
                      .build())
              .status();
      if (status != 200) {
        throw new IllegalStateException(name + ": the receiver answered " + status);
      }
    }
    double micros = (System.nanoTime() - start) / 1e3 / measured;
    System.out.printf(
        Locale.ROOT,
        "%s: receiver alone (verify + claim + complete, no HTTP), 1 thread: %.0f µs per new event"
            + " (%.0f/s)%n",
        name,
        micros,
        1e6 / micros);
  }

  private static HikariDataSource pool(String url, String user, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword("");
    config.setMaximumPoolSize(size);
    return new HikariDataSource(config);
  }

  /** A no-op upstream: consumes the body, answers 204. */
  private static Server upstream() throws Exception {
    Server server = new Server(new QueuedThreadPool(256));
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            try {
              Content.Source.consumeAll(request);
            } catch (IOException e) {
              callback.failed(e);
              return true;
            }
            response.setStatus(204);
            response.write(true, ByteBuffer.allocate(0), callback);
            return true;
          }
        });
    server.start();
    return server;
  }
}
