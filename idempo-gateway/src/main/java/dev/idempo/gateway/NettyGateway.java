package dev.idempo.gateway;

import dev.idempo.http.HttpIdempotency;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's listener and upstream client on Netty ({@link Engine#NETTY}).
 *
 * <p>Threads: one event loop per core accepts, reads and writes every connection, the caller's and
 * the upstream's (an upstream connection belongs to the event loop of the caller connection that
 * opened it, and is kept alive in that loop's pool). Store calls run on the event loop when the
 * store is the in-memory one and no request waits for an in-flight duplicate, else on a pool of
 * {@link GatewayConfig#maxThreads()} store threads, which also runs the webhook receiver and the
 * admin listener's health check. Buffers: Netty's pooled buffers for the wire; a guarded request's
 * body is copied once into an array (it is fingerprinted and may be sent again), a captured
 * response once into the array that is stored; a pass-through body is never copied.
 *
 * <p>{@link #stop()} stops accepting, closes idle keep-alive connections, lets requests in flight
 * finish for up to the drain timeout (their answers say {@code Connection: close}), then closes
 * everything.
 *
 * <p>Thread-safe.
 */
// Netty reports the outcome of a write or close that matters through a listener where it is
// added (the request head written, a response flushed before closing); every other write or
// close that fails also closes the channel, which channelInactive handles. Netty's own code
// ignores these futures the same way.
@SuppressWarnings("FutureReturnValueIgnored")
final class NettyGateway {
  private static final Logger LOG = LoggerFactory.getLogger(NettyGateway.class);

  private final GatewayConfig config;
  private final HttpIdempotency idempotency;
  private final GatewayMetrics metrics;
  private final NettyTransport transport;
  private final EventLoopGroup loops;
  private final ThreadPoolExecutor blocking;
  private final Executor storeExecutor;
  private final NettyUpstream upstream;
  private final NettyWebhooks webhooks;
  private final Set<String> webhookPaths;
  private final AdminHandler admin;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private Channel listener;
  private Channel adminListener;
  private volatile boolean draining;

  private NettyGateway(
      GatewayConfig config,
      HttpIdempotency idempotency,
      IdempotencyStore store,
      GatewayMetrics metrics,
      AdminHandler admin)
      throws Exception {
    this.config = config;
    this.idempotency = idempotency;
    this.metrics = metrics;
    this.admin = admin;
    this.transport = NettyTransport.preferred();
    this.loops =
        transport.newGroup(
            Runtime.getRuntime().availableProcessors(),
            new DefaultThreadFactory("idempo-gateway-loop", true));
    this.blocking =
        new ThreadPoolExecutor(
            config.maxThreads(),
            config.maxThreads(),
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            new DefaultThreadFactory("idempo-gateway-store", true));
    blocking.allowCoreThreadTimeOut(true);
    // The in-memory store answers at once, unless a request waits for an in-flight duplicate.
    boolean inline = store instanceof InMemoryIdempotencyStore && config.waitForInFlight().isZero();
    this.storeExecutor = inline ? null : blocking;
    this.upstream = new NettyUpstream(config, loops, transport);
    this.webhooks =
        config.webhooks().isEmpty()
            ? null
            : new NettyWebhooks(config, store, upstream, metrics, blocking);
    this.webhookPaths = Set.copyOf(config.webhookPaths());
  }

  /**
   * Starts listening on the configured address (and the admin address, if any).
   *
   * @throws GatewayStartException if an address cannot be bound; nothing is left running
   */
  static NettyGateway start(
      GatewayConfig config,
      HttpIdempotency idempotency,
      IdempotencyStore store,
      GatewayMetrics metrics,
      AdminHandler admin) {
    NettyGateway gateway;
    try {
      gateway = new NettyGateway(config, idempotency, store, metrics, admin);
    } catch (Exception e) {
      throw new GatewayStartException(
          "cannot start the upstream client: " + StoreConnection.oneLine(e), e);
    }
    try {
      gateway.listener =
          gateway.bind(
              gateway.proxyInitializer(),
              config.listenHost(),
              config.listenPort(),
              config.listenHost() + ":" + config.listenPort());
      if (config.adminHost().isPresent()) {
        gateway.adminListener =
            gateway.bind(
                gateway.adminInitializer(),
                config.adminHost().get(),
                config.adminPort(),
                config.adminHost().get() + ":" + config.adminPort() + " (admin)");
      }
    } catch (RuntimeException e) {
      gateway.stop();
      throw e;
    }
    return gateway;
  }

  private Channel bind(
      ChannelInitializer<SocketChannel> initializer, String host, int port, String address) {
    try {
      return new ServerBootstrap()
          .group(loops)
          .channel(transport.serverChannel())
          .option(ChannelOption.SO_BACKLOG, 1024)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(initializer)
          .bind(host, port)
          .syncUninterruptibly()
          .channel();
    } catch (Exception e) {
      throw new GatewayStartException(
          "cannot listen on " + address + ": " + StoreConnection.oneLine(e), e);
    }
  }

  private ChannelInitializer<SocketChannel> proxyInitializer() {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel channel) {
        if (draining) {
          channel.close();
          return;
        }
        connections.add(channel);
        channel
            .pipeline()
            .addLast(
                new StrictRequestDecoder(
                    UpstreamClient.MAX_REQUEST_HEADER_BYTES,
                    UpstreamClient.MAX_REQUEST_HEADER_BYTES,
                    16 << 10))
            .addLast(new HttpResponseEncoder())
            .addLast(new NettyProxyHandler(NettyGateway.this));
      }
    };
  }

  private ChannelInitializer<SocketChannel> adminInitializer() {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel channel) {
        connections.add(channel);
        channel
            .pipeline()
            .addLast(new HttpServerCodec())
            .addLast(new HttpObjectAggregator(64 << 10))
            .addLast(new AdminRequests());
      }
    };
  }

  HttpIdempotency idempotency() {
    return idempotency;
  }

  GatewayMetrics metrics() {
    return metrics;
  }

  GatewayConfig config() {
    return config;
  }

  /** The webhook endpoints' paths: a request to a lookalike of one is refused, never forwarded. */
  Set<String> webhookPaths() {
    return webhookPaths;
  }

  NettyUpstream upstream() {
    return upstream;
  }

  /** Null when there are no webhook endpoints. */
  NettyWebhooks webhooks() {
    return webhooks;
  }

  /** Where store calls run; null to run them in place, on the event loop. */
  NettyTransport transport() {
    return transport;
  }

  Executor storeExecutor() {
    return storeExecutor;
  }

  boolean isDraining() {
    return draining;
  }

  int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  OptionalInt adminPort() {
    return adminListener == null
        ? OptionalInt.empty()
        : OptionalInt.of(((InetSocketAddress) adminListener.localAddress()).getPort());
  }

  /**
   * Stops accepting, closes idle connections, waits up to the drain timeout for requests in flight,
   * then closes every connection and stops the threads.
   */
  void stop() {
    draining = true;
    for (Channel open : new Channel[] {listener, adminListener}) {
      if (open != null) {
        open.close().awaitUninterruptibly();
      }
    }
    for (Channel connection : connections) {
      connection
          .eventLoop()
          .execute(
              () -> {
                NettyProxyHandler handler = connection.pipeline().get(NettyProxyHandler.class);
                if (handler == null || handler.isIdle()) {
                  connection.close();
                }
              });
    }
    long deadline = System.nanoTime() + config.drainTimeout().toNanos();
    try {
      while (metrics.inFlight() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5); // polled: the drain ends with the last answer or the timeout
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (metrics.inFlight() > 0) {
      LOG.warn("closing {} request(s) still in flight after the drain timeout", metrics.inFlight());
    }
    connections.close().awaitUninterruptibly();
    loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    blocking.shutdownNow();
  }

  /**
   * Netty's request decoder, refusing (as a decoder failure, answered 400) a request with both
   * {@code Content-Length} and {@code Transfer-Encoding}, which Netty would otherwise read as
   * chunked after dropping the length: a front end and a back end that disagree on which one counts
   * is request smuggling.
   *
   * <p>It also allocates less per request than Netty's: the end of a body that is not chunked
   * (which can carry no trailer) gets the shared empty trailer map instead of a new one, and the
   * names of the header fields most requests carry are shared constants when their bytes match
   * exactly (the caller's spelling is what goes upstream).
   */
  static final class StrictRequestDecoder extends HttpRequestDecoder {
    private final Trailers trailers;

    StrictRequestDecoder(int maxInitialLineLength, int maxHeaderSize, int maxChunkSize) {
      this(
          new HttpDecoderConfig()
              .setMaxInitialLineLength(maxInitialLineLength)
              .setMaxHeaderSize(maxHeaderSize)
              .setMaxChunkSize(maxChunkSize),
          new Trailers());
    }

    private StrictRequestDecoder(HttpDecoderConfig config, Trailers trailers) {
      super(config.setTrailersFactory(trailers));
      this.trailers = trailers;
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      throw new IllegalArgumentException("both Content-Length and Transfer-Encoding");
    }

    /**
     * Called for every request head before its body is read: a body can end in trailer fields only
     * when the head has a {@code Transfer-Encoding} (chunked is the only coding the gateway takes).
     */
    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage message) {
      trailers.expect(message);
      return super.isContentAlwaysEmpty(message);
    }

    @Override
    protected AsciiString splitHeaderName(byte[] line, int start, int length) {
      for (AsciiString name : COMMON_NAMES) {
        if (name.length() == length
            && Arrays.equals(
                line, start, start + length, name.array(), name.arrayOffset(), length)) {
          return name;
        }
      }
      return super.splitHeaderName(line, start, length);
    }
  }

  /**
   * Header names the request decoder shares instead of allocating, in the spellings clients send
   * (Netty's decoder already shares Host, Accept, Connection, Content-Type and Content-Length).
   */
  private static final AsciiString[] COMMON_NAMES = {
    AsciiString.cached("Idempotency-Key"),
    AsciiString.cached("idempotency-key"),
    AsciiString.cached("Authorization"),
    AsciiString.cached("authorization"),
    AsciiString.cached("User-Agent"),
    AsciiString.cached("user-agent"),
    AsciiString.cached("Accept-Encoding"),
    AsciiString.cached("content-type"),
    AsciiString.cached("content-length"),
  };

  /**
   * A decoder's trailer maps: the shared empty one for the end of a body that cannot have trailer
   * fields, a new map for a chunked body's trailer section (Netty's own factory gives every body
   * end a map of its own). {@link #expect} must see each message head before its body is decoded.
   * Not thread-safe: one per decoder, used on its event loop.
   */
  static final class Trailers implements HttpHeadersFactory {
    private static final HttpHeadersFactory NETTY = DefaultHttpHeadersFactory.trailersFactory();

    private boolean mayHaveFields = true;

    /**
     * The body after {@code head} may end in trailer fields only when the head has a {@code
     * Transfer-Encoding}.
     */
    void expect(HttpMessage head) {
      mayHaveFields = head.headers().contains(HttpHeaderNames.TRANSFER_ENCODING);
    }

    @Override
    public HttpHeaders newHeaders() {
      return mayHaveFields ? NETTY.newHeaders() : EmptyHttpHeaders.INSTANCE;
    }

    @Override
    public HttpHeaders newEmptyHeaders() {
      return mayHaveFields ? NETTY.newEmptyHeaders() : EmptyHttpHeaders.INSTANCE;
    }
  }

  /** The admin listener's requests: {@code /health} and {@code /metrics}, on the store pool. */
  private final class AdminRequests extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
      String method = request.method().name();
      String path = new QueryStringDecoder(request.uri()).rawPath();
      boolean head = method.equals("HEAD");
      blocking.execute(
          () -> {
            AdminHandler.Answer answer = admin.answer(method, path);
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            DefaultFullHttpResponse response =
                new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(answer.status()),
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.type());
            response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            if (!keepAlive) {
              response.headers().set(HttpHeaderNames.CONNECTION, "close");
            }
            ctx.writeAndFlush(response)
                .addListener(
                    keepAlive
                        ? ChannelFutureListener.CLOSE_ON_FAILURE
                        : ChannelFutureListener.CLOSE);
          });
    }
  }

  @Override
  public String toString() {
    return "NettyGateway[" + config.listenHost() + " -> " + upstream + "]";
  }
}
