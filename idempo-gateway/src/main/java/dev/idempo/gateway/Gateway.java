package dev.idempo.gateway;

import dev.idempo.http.HttpIdempotency;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.RecordPurger;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reverse proxy to one upstream that gives every guarded request Idempotency-Key semantics
 * ({@code docs/design.md}, "The HTTP contract"): the first request with a key is forwarded and its
 * response stored; a retry gets that response replayed with {@code Idempotent-Replayed: true},
 * never a second forward. Any number of gateways sharing one Redis or PostgreSQL store behave as
 * one.
 *
 * <pre>{@code
 * GatewayConfig config = GatewayConfig.builder(URI.create("http://127.0.0.1:9000"))
 *     .listen("127.0.0.1", 0)
 *     .storeLocation(StoreLocation.parse("redis://127.0.0.1:6379"))
 *     .build();
 * try (Gateway gateway = new Gateway(config)) {
 *   int port = gateway.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>{@link #start()} opens the store (unless one was given), starts the upstream client and
 * listens, on Netty or Jetty ({@link GatewayConfig#engine()}); {@link #stop()} stops accepting,
 * lets in-flight requests finish for up to the drain timeout, then closes the upstream client and
 * the store it opened; {@link #awaitStop()} waits for that. A gateway starts once.
 *
 * <p>A library: it parses no arguments and installs no logging binding (it logs through SLF4J, as
 * Jetty and Netty do; without a binding nothing is printed). The {@code idempo gateway} command is
 * in {@code idempo-cli}.
 *
 * <p>Thread-safe.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  private static final long SHUTDOWN_IDLE_MILLIS = 50;

  private enum State {
    NEW,
    STARTED,
    STOPPED
  }

  private final GatewayConfig config;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private State state = State.NEW;
  private StoreConnection openedStore;
  private UpstreamClient upstream;
  private GatewayMetrics metrics;
  private Server server;
  private ServerConnector connector;
  private ServerConnector adminConnector;
  private RecordPurger purger;
  private NettyGateway netty;

  /** A gateway for {@code config}; nothing starts until {@link #start()}. */
  public Gateway(GatewayConfig config) {
    this.config = Objects.requireNonNull(config, "config must not be null");
  }

  /**
   * Opens the store, starts the upstream client and listens.
   *
   * @return the port the gateway listens on (the configured one, or the ephemeral one chosen)
   * @throws GatewayStartException if the store cannot be opened or the port is taken; nothing is
   *     left running
   * @throws IllegalStateException if the gateway was started before
   */
  public synchronized int start() {
    if (state != State.NEW) {
      throw new IllegalStateException(
          "a gateway starts once; this one is " + state.name().toLowerCase(java.util.Locale.ROOT));
    }
    try {
      IdempotencyStore store;
      if (config.store().isPresent()) {
        store = config.store().get();
      } else {
        openedStore =
            StoreConnection.open(config.storeLocation().get(), config.maxResponseBodyBytes());
        store = openedStore.store();
      }
      metrics = new GatewayMetrics();
      HttpIdempotency idempotency =
          HttpIdempotency.builder(store)
              .route(config.route())
              .maxRequestBodyBytes(config.maxRequestBodyBytes())
              .maxResponseBodyBytes(config.maxResponseBodyBytes())
              .listener(metrics)
              .build();
      AdminHandler admin = new AdminHandler(store, config.storeDescription(), metrics);
      if (config.engine() == Engine.NETTY) {
        netty = NettyGateway.start(config, idempotency, store, metrics, admin);
      } else {
        startJetty(idempotency, store, admin);
      }
    } catch (RuntimeException e) {
      release();
      state = State.STOPPED;
      stopped.countDown();
      throw e;
    }
    if (openedStore != null && openedStore.purgesExpired()) {
      purger = openedStore.startPurger();
    }
    state = State.STARTED;
    LOG.debug(
        "idempo gateway listening on {} -> {} (store: {})",
        uri(),
        config.upstream(),
        config.storeDescription());
    return localPort();
  }

  private int localPort() {
    return netty != null ? netty.port() : connector.getLocalPort();
  }

  /** The Netty engine's I/O transport once started; empty on the Jetty engine. For tests. */
  synchronized Optional<NettyTransport> nettyTransport() {
    return Optional.ofNullable(netty).map(NettyGateway::transport);
  }

  private void startJetty(HttpIdempotency idempotency, IdempotencyStore store, AdminHandler admin) {
    try {
      upstream = UpstreamClient.start(config);
    } catch (Exception e) {
      throw new GatewayStartException(
          "cannot start the upstream client: " + StoreConnection.oneLine(e), e);
    }
    IdempotentProxyHandler proxy =
        new IdempotentProxyHandler(idempotency, upstream, metrics, config);
    WebhookForwardingHandler webhooks =
        config.webhooks().isEmpty()
            ? null
            : new WebhookForwardingHandler(config, store, upstream, metrics);
    server = newServer(proxy, admin, webhooks);
    bind(connector, config.listenHost() + ":" + config.listenPort());
    if (adminConnector != null) {
      bind(adminConnector, config.adminHost().get() + ":" + config.adminPort() + " (admin)");
    }
    try {
      server.start();
    } catch (Exception e) {
      throw new GatewayStartException(
          "cannot start the listener: " + StoreConnection.oneLine(e), e);
    }
  }

  private Server newServer(Handler proxy, Handler admin, WebhookForwardingHandler webhooks) {
    QueuedThreadPool threads =
        new QueuedThreadPool(config.maxThreads(), Math.min(8, config.maxThreads()));
    threads.setName("idempo-gateway");
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setSendDateHeader(false); // the upstream's Date passes through
    http.setHeaderCacheCaseSensitive(true); // forward header values exactly as received
    // Room for every response header block the upstream client accepts, plus the few headers the
    // gateway writes itself: relaying never fails for header size after the upstream acted.
    http.setResponseHeaderSize(UpstreamClient.MAX_RESPONSE_HEADER_BYTES + 1024);
    http.setRequestHeaderSize(UpstreamClient.MAX_REQUEST_HEADER_BYTES);
    // The upstream interprets the path, so an encoded slash or dot segment is its business.
    http.setUriCompliance(
        UriCompliance.DEFAULT.with(
            "idempo-gateway",
            UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
            UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
            UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT,
            UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT));
    connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(config.listenHost());
    connector.setPort(config.listenPort());
    connector.setAcceptQueueSize(1024);
    // On stop, idle keep-alive connections close at once; busy ones finish their request.
    connector.setShutdownIdleTimeout(SHUTDOWN_IDLE_MILLIS);
    connector.setName("gateway");
    server.addConnector(connector);
    if (config.adminHost().isPresent()) {
      adminConnector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
      adminConnector.setHost(config.adminHost().get());
      adminConnector.setPort(config.adminPort());
      adminConnector.setName("admin");
      adminConnector.setShutdownIdleTimeout(SHUTDOWN_IDLE_MILLIS);
      server.addConnector(adminConnector);
    }
    ServerConnector adminOnly = adminConnector;
    Handler byConnector =
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            boolean isAdmin =
                adminOnly != null && request.getConnectionMetaData().getConnector() == adminOnly;
            if (isAdmin) {
              return admin.handle(request, response, callback);
            }
            // Webhook paths first: a delivery is deduplicated by its event id, not by a key.
            if (webhooks != null && webhooks.accepts(request)) {
              return webhooks.handle(request, response, callback);
            }
            return proxy.handle(request, response, callback);
          }
        };
    server.setHandler(new GracefulHandler(byConnector));
    server.setStopTimeout(config.drainTimeout().toMillis());
    return server;
  }

  private static void bind(ServerConnector connector, String address) {
    try {
      connector.open();
    } catch (Exception e) {
      throw new GatewayStartException(
          "cannot listen on " + address + ": " + StoreConnection.oneLine(e), e);
    }
  }

  /**
   * The port the gateway listens on.
   *
   * @throws IllegalStateException if it was not started
   */
  public synchronized int port() {
    checkStarted();
    return localPort();
  }

  /** The admin listener's port, if the configuration has one and the gateway runs. */
  public synchronized OptionalInt adminPort() {
    checkStarted();
    if (netty != null) {
      return netty.adminPort();
    }
    return adminConnector == null
        ? OptionalInt.empty()
        : OptionalInt.of(adminConnector.getLocalPort());
  }

  /**
   * {@code http://HOST:PORT}, with the configured host and the bound port.
   *
   * @throws IllegalStateException if it was not started
   */
  public synchronized URI uri() {
    checkStarted();
    String host =
        config.listenHost().contains(":") ? "[" + config.listenHost() + "]" : config.listenHost();
    return URI.create("http://" + host + ":" + localPort());
  }

  public GatewayConfig config() {
    return config;
  }

  /** How many requests are being handled now (0 before start). */
  public synchronized int requestsInFlight() {
    return metrics == null ? 0 : metrics.inFlight();
  }

  /**
   * Stops accepting connections, waits up to the drain timeout for in-flight requests, then stops
   * the upstream client and closes the store if the gateway opened it. Idempotent; a concurrent
   * caller returns once the gateway has stopped.
   */
  public synchronized void stop() {
    if (state == State.STOPPED) {
      return;
    }
    boolean wasStarted = state == State.STARTED;
    state = State.STOPPED;
    if (wasStarted) {
      LOG.info(
          "idempo gateway stopping: draining {} in-flight request(s) for up to {}",
          metrics.inFlight(),
          DurationText.format(config.drainTimeout()));
    }
    release();
    stopped.countDown();
  }

  /** Blocks until the gateway has stopped (or failed to start). */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /**
   * Blocks until the gateway has stopped (or failed to start), or {@code timeout} has passed.
   *
   * @return true if it stopped, false if the timeout passed first
   */
  public boolean awaitStop(Duration timeout) throws InterruptedException {
    return stopped.await(
        Objects.requireNonNull(timeout, "timeout must not be null").toNanos(),
        TimeUnit.NANOSECONDS);
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  private void release() {
    if (netty != null) {
      netty.stop();
    }
    if (server != null) {
      try {
        server.stop();
      } catch (Exception e) {
        LOG.warn("stopping the listener failed: {}", StoreConnection.oneLine(e));
      }
      // A connector bound before a failed start is not stopped with the server.
      connector.close();
      if (adminConnector != null) {
        adminConnector.close();
      }
    }
    if (upstream != null) {
      try {
        upstream.stop();
      } catch (Exception e) {
        LOG.warn("stopping the upstream client failed: {}", StoreConnection.oneLine(e));
      }
    }
    if (purger != null) {
      purger.close();
    }
    if (openedStore != null) {
      openedStore.close();
    }
    if (metrics != null) {
      metrics.close();
    }
  }

  private void checkStarted() {
    if (state != State.STARTED) {
      throw new IllegalStateException(
          "the gateway is not running (" + state.name().toLowerCase(java.util.Locale.ROOT) + ")");
    }
  }

  @Override
  public String toString() {
    return "Gateway[" + config + "]";
  }
}
