package dev.idempo.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import io.netty.channel.ChannelProgressivePromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * The Netty engine's client for the one upstream. Rewrites requests as {@link UpstreamClient} does
 * (the upstream's path prefix before the raw target, hop-by-hop headers dropped, {@code
 * X-Forwarded-For}, {@code -Proto}, {@code -Host} and {@code Via} added, everything else
 * unchanged), and keeps upstream connections alive in one pool per event loop: an exchange started
 * on the event loop of the caller's connection runs on that loop throughout, so nothing is handed
 * between threads.
 *
 * <p>A pooled connection idle for {@link GatewayConfig#upstreamIdleTimeout()} or longer is never
 * used (checked when taken, whatever the timers) and is closed by a sweep: the upstream may be
 * closing it, and a request sent on it could not be told from one the upstream received and crashed
 * on. A request counts as sent from its first byte written to the socket; one closed under before
 * that ({@link UpstreamExchange.FailureKind#NOT_SENT}) cannot have taken effect. Interim (1xx)
 * responses are skipped; a 101 is passed on as the answer (the caller refuses it).
 *
 * <p>Thread-safe: each pool is touched only on its own event loop; an {@link Exchange} is used on
 * its event loop only.
 */
// Netty reports the outcome of a write or close that matters through a listener where it is
// added (the request head written, a response flushed before closing); every other write or
// close that fails also closes the channel, which channelInactive handles. Netty's own code
// ignores these futures the same way.
@SuppressWarnings("FutureReturnValueIgnored")
final class NettyUpstream {
  private static final String VIA = "1.1 idempo-gateway";
  private static final int MAX_INITIAL_LINE = 8 << 10;
  private static final int MAX_CHUNK = 16 << 10;

  private final Bootstrap bootstrap;
  private final IdentityHashMap<EventExecutor, ArrayDeque<Connection>> pools =
      new IdentityHashMap<>();
  private final String host;
  private final int port;
  private final String hostHeader;
  private final String pathPrefix;
  private final long idleTimeoutNanos;
  private final long timeoutNanos;
  private final SslContext ssl;

  NettyUpstream(GatewayConfig config, EventLoopGroup group) throws SSLException {
    URI upstream = config.upstream();
    boolean https = upstream.getScheme().equalsIgnoreCase("https");
    this.host = upstream.getHost();
    this.port = upstream.getPort() != -1 ? upstream.getPort() : https ? 443 : 80;
    String hostName = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    this.hostHeader = upstream.getPort() == -1 ? hostName : hostName + ":" + port;
    String path = upstream.getRawPath() == null ? "" : upstream.getRawPath();
    this.pathPrefix = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    this.idleTimeoutNanos = config.upstreamIdleTimeout().toNanos();
    this.timeoutNanos = config.upstreamTimeout().toNanos();
    this.ssl = https ? SslContextBuilder.forClient().build() : null;
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(config.upstreamTimeout().toMillis(), 10_000));
    long sweepMillis = Math.max(1, config.upstreamIdleTimeout().toMillis() / 2);
    for (EventExecutor loop : group) {
      ArrayDeque<Connection> pool = new ArrayDeque<>();
      pools.put(loop, pool);
      loop.scheduleAtFixedRate(() -> sweep(pool), sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    }
  }

  /** The target as the upstream receives it: its path prefix, then the raw path and query. */
  String target(String rawPathAndQuery) {
    return pathPrefix + rawPathAndQuery;
  }

  /**
   * The head forwarded for {@code incoming}: its headers but the hop-by-hop ones and those the
   * client computes, plus the forwarding headers; {@code contentLength} is set when 0 or more, else
   * the body is sent chunked if {@code chunked}.
   *
   * @param key the Idempotency-Key to send in place of the caller's, or null to keep the caller's
   */
  HttpRequest head(
      HttpRequest incoming,
      String target,
      String remoteAddress,
      long contentLength,
      boolean chunked,
      String key) {
    HttpHeaders from = incoming.headers();
    HopByHopHeaders hopByHop = HopByHopHeaders.of(from);
    HttpHeaders to = NettyProxyHandler.COPIED_HEADERS.newHeaders();
    to.add(HttpHeaderNames.HOST, hostHeader);
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = from.iteratorCharSequence();
        it.hasNext(); ) {
      Map.Entry<CharSequence, CharSequence> field = it.next();
      CharSequence name = field.getKey();
      if (!isRewritten(name) && !hopByHop.contains(name.toString())) {
        if (key == null || !WebhookForwardingHandler.KEY_HEADER.contentEquals(name)) {
          to.add(name, field.getValue());
        }
      }
    }
    if (key != null) {
      to.add(WebhookForwardingHandler.KEY_HEADER, key);
    }
    List<String> forwardedFor = from.getAll("X-Forwarded-For");
    to.add(
        "X-Forwarded-For",
        forwardedFor.isEmpty()
            ? remoteAddress
            : String.join(", ", forwardedFor) + ", " + remoteAddress);
    to.add("X-Forwarded-Proto", "http");
    String callerHost = from.get(HttpHeaderNames.HOST);
    if (callerHost != null) {
      to.add("X-Forwarded-Host", callerHost);
    }
    List<String> via = from.getAll(HttpHeaderNames.VIA);
    to.add(HttpHeaderNames.VIA, via.isEmpty() ? VIA : String.join(", ", via) + ", " + VIA);
    if (contentLength >= 0) {
      to.add(HttpHeaderNames.CONTENT_LENGTH, contentLength);
    } else if (chunked) {
      to.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, incoming.method(), target, to);
  }

  /** Headers the client computes (Host, framing) or the gateway sets (forwarding, Expect). */
  private static boolean isRewritten(CharSequence name) {
    switch (name.length()) {
      case 3 -> {
        return HttpHeaderNames.VIA.contentEqualsIgnoreCase(name);
      }
      case 4 -> {
        return HttpHeaderNames.HOST.contentEqualsIgnoreCase(name);
      }
      case 6 -> {
        return HttpHeaderNames.EXPECT.contentEqualsIgnoreCase(name);
      }
      case 14 -> {
        return HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name);
      }
      case 15, 16, 17 -> {
        String lower = name.toString().toLowerCase(java.util.Locale.ROOT);
        return lower.equals("x-forwarded-for")
            || lower.equals("x-forwarded-host")
            || lower.equals("x-forwarded-proto");
      }
      default -> {
        return false;
      }
    }
  }

  /**
   * Sends {@code head} upstream from {@code loop} (the caller's event loop, which runs every
   * callback), with {@code body} whole, or, when it is null, with the body the caller streams
   * through {@link Exchange#write}.
   */
  Exchange send(EventLoop loop, HttpRequest head, byte[] body, Receiver receiver) {
    Exchange exchange = new Exchange(head, body, receiver, loop);
    ArrayDeque<Connection> pool = pools.get(loop);
    long now = System.nanoTime();
    Connection pooled;
    while ((pooled = pool.pollLast()) != null) {
      if (pooled.channel.isActive() && now - pooled.idleSince < idleTimeoutNanos) {
        pooled.attach(exchange);
        return exchange;
      }
      pooled.channel.close();
    }
    Bootstrap connecting =
        bootstrap
            .clone(loop)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    if (ssl != null) {
                      channel.pipeline().addLast(ssl.newHandler(channel.alloc(), host, port));
                    }
                    channel
                        .pipeline()
                        .addLast(
                            new HttpClientCodec(
                                new HttpDecoderConfig()
                                    .setMaxInitialLineLength(MAX_INITIAL_LINE)
                                    .setMaxHeaderSize(UpstreamClient.MAX_RESPONSE_HEADER_BYTES)
                                    .setMaxChunkSize(MAX_CHUNK),
                                false,
                                false))
                        .addLast(new Connection(channel, pool));
                  }
                });
    connecting
        .connect(host, port)
        .addListener(
            (ChannelFutureListener)
                connected -> {
                  if (connected.isSuccess()) {
                    connected.channel().pipeline().get(Connection.class).attach(exchange);
                  } else {
                    exchange.fail(connected.cause(), false);
                  }
                });
    return exchange;
  }

  private void sweep(ArrayDeque<Connection> pool) {
    long now = System.nanoTime();
    for (Iterator<Connection> it = pool.iterator(); it.hasNext(); ) {
      Connection connection = it.next();
      if (now - connection.idleSince >= idleTimeoutNanos || !connection.channel.isActive()) {
        it.remove();
        connection.channel.close();
      }
    }
  }

  @Override
  public String toString() {
    return "NettyUpstream[" + hostHeader + pathPrefix + "]";
  }

  /** What an exchange reports, on its event loop. */
  interface Receiver {
    /** The final response's status and headers (a 101 too: it is no final answer). */
    void head(HttpResponse head);

    /** A piece of the body, the receiver's to release; {@code last} ends the response. */
    void content(HttpContent content, boolean last);

    /**
     * No complete response came; {@code headReceived} says whether {@link #head} was called. Called
     * at most once, and never after the last content.
     */
    void failed(UpstreamExchange.UpstreamFailure failure, boolean headReceived);

    /** The upstream connection can take more of a streamed body now, or cannot. */
    default void writable(boolean writable) {}
  }

  /** One request upstream and its response. Used on its event loop only. */
  final class Exchange {
    private final HttpRequest head;
    private final byte[] body;
    private final Receiver receiver;
    private final EventLoop loop;
    private final ArrayDeque<HttpContent> queued = new ArrayDeque<>(0);
    private Connection connection;
    private ScheduledFuture<?> timer;
    private long lastActivity;
    private boolean headWritten;
    private boolean requestDone;
    private boolean headReceived;
    private boolean done;
    private boolean closeAfter;

    private Exchange(HttpRequest head, byte[] body, Receiver receiver, EventLoop loop) {
      this.head = head;
      this.body = body;
      this.receiver = receiver;
      this.loop = loop;
      this.closeAfter = !HttpUtil.isKeepAlive(head);
    }

    /** Sends the next piece of a streamed body (queued until the connection is ready). */
    void write(HttpContent content) {
      if (done) {
        content.release();
        return;
      }
      if (connection == null) {
        queued.add(content);
        return;
      }
      requestDone |= content instanceof LastHttpContent;
      connection.channel.writeAndFlush(content, connection.channel.voidPromise());
    }

    /** True when a streamed body may be written without piling up in memory. */
    boolean isWritable() {
      return connection == null || connection.channel.isWritable();
    }

    /** Stops reading the response (the caller is slow), or resumes. */
    void setAutoRead(boolean autoRead) {
      if (connection != null && !done) {
        connection.channel.config().setAutoRead(autoRead);
      }
    }

    /** Gives up: closes the connection; no callback follows. */
    void abort() {
      if (!done) {
        done = true;
        cancelTimer();
        releaseQueued();
        if (connection != null) {
          connection.exchange = null;
          connection.channel.close();
        }
      }
    }

    private void start(Connection connection) {
      this.connection = connection;
      Channel channel = connection.channel;
      if (!channel.isActive()) {
        fail(new ClosedChannelException(), false);
        return;
      }
      ChannelProgressivePromise written = channel.newProgressivePromise();
      written.addListener(
          new ChannelProgressiveFutureListener() {
            @Override
            public void operationProgressed(
                ChannelProgressiveFuture future, long progress, long total) {
              headWritten |= progress > 0;
            }

            @Override
            public void operationComplete(ChannelProgressiveFuture future) {
              if (future.isSuccess()) {
                headWritten = true;
              } else {
                fail(future.cause(), false);
              }
            }
          });
      // Over TLS the bytes written are the handler's: from the first write on, count it sent.
      headWritten = ssl != null;
      channel.write(head, written);
      if (body != null) {
        if (body.length > 0) {
          channel.write(
              new DefaultHttpContent(Unpooled.wrappedBuffer(body)), channel.voidPromise());
        }
        // The shared empty end: a last content of its own would allocate a trailer map.
        channel.write(LastHttpContent.EMPTY_LAST_CONTENT, channel.voidPromise());
        requestDone = true;
      } else {
        HttpContent content;
        while ((content = queued.poll()) != null) {
          requestDone |= content instanceof LastHttpContent;
          channel.write(content, channel.voidPromise());
        }
      }
      channel.flush();
      if (!done) {
        lastActivity = System.nanoTime();
        timer = loop.schedule(this::checkTimeout, timeoutNanos, TimeUnit.NANOSECONDS);
      }
    }

    private void checkTimeout() {
      if (done) {
        return;
      }
      long idle = System.nanoTime() - lastActivity;
      if (idle >= timeoutNanos) {
        timer = null;
        fail(new TimeoutException("no answer within the upstream timeout"), true);
      } else {
        timer = loop.schedule(this::checkTimeout, timeoutNanos - idle, TimeUnit.NANOSECONDS);
      }
    }

    private void read(HttpObject message) {
      lastActivity = System.nanoTime();
      if (message.decoderResult().isFailure()) {
        ReferenceCountUtil.release(message);
        fail(message.decoderResult().cause(), false);
        return;
      }
      if (message instanceof HttpResponse response) {

        int status = response.status().code();
        if (status >= 100 && status < 200 && status != 101) {
          return; // interim: its empty last content follows, and is skipped too
        }
        headReceived = true;
        closeAfter |= !HttpUtil.isKeepAlive(response);
        receiver.head(response);
        if (done) {
          ReferenceCountUtil.release(message);
          return;
        }
      }
      if (message instanceof HttpContent content) {

        if (!headReceived) {
          content.release();
          return;
        }
        boolean last = content instanceof LastHttpContent;
        if (last) {
          done = true;
          cancelTimer();
          Connection finished = connection;
          finished.exchange = null;
          if (closeAfter || !requestDone || !finished.channel.isActive()) {
            finished.channel.close();
          } else {
            finished.idleSince = System.nanoTime();
            finished.pool.addLast(finished);
          }
        }
        receiver.content(content, last);
      }
    }

    private void fail(Throwable cause, boolean timedOut) {
      if (done) {
        return;
      }
      done = true;
      cancelTimer();
      releaseQueued();
      if (connection != null) {
        connection.exchange = null;
        connection.channel.close();
      }
      UpstreamExchange.FailureKind kind =
          !headWritten
              ? UpstreamExchange.FailureKind.NOT_SENT
              : timedOut
                  ? UpstreamExchange.FailureKind.TIMED_OUT
                  : UpstreamExchange.FailureKind.CONNECTION_LOST;
      receiver.failed(new UpstreamExchange.UpstreamFailure(kind, cause), headReceived);
    }

    private void cancelTimer() {
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
    }

    private void releaseQueued() {
      HttpContent content;
      while ((content = queued.poll()) != null) {
        content.release();
      }
    }

    /** True when the method's response carries no body ({@code HEAD}). */
    boolean isHead() {
      return head.method().equals(HttpMethod.HEAD);
    }
  }

  /** One keep-alive connection to the upstream, with the exchange on it if any. */
  private static final class Connection extends ChannelInboundHandlerAdapter {
    private final Channel channel;
    private final ArrayDeque<Connection> pool;
    private Exchange exchange;
    private long idleSince;

    Connection(Channel channel, ArrayDeque<Connection> pool) {
      this.channel = channel;
      this.pool = pool;
    }

    void attach(Exchange exchange) {
      this.exchange = exchange;
      channel.config().setAutoRead(true);
      exchange.start(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      Exchange current = exchange;
      if (current == null) {
        // Nothing was asked: an idle connection the upstream talks on is not reused.
        ReferenceCountUtil.release(message);
        channel.close();
        return;
      }
      current.read((HttpObject) message);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Exchange current = exchange;
      if (current != null) {
        current.fail(new IOException("the upstream closed the connection"), false);
      } else {
        pool.remove(this);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Exchange current = exchange;
      if (current != null) {
        current.fail(cause, false);
      }
      channel.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      Exchange current = exchange;
      if (current != null) {
        current.receiver.writable(channel.isWritable());
      }
    }
  }
}
