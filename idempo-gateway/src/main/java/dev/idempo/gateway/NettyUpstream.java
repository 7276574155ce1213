package dev.idempo.gateway;

import io.netty.bootstrap.Bootstrap;
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
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
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

  private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
  private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
  private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
  private static final AsciiString HTTP = AsciiString.cached("http");

  /**
   * Headers never forwarded as the caller sent them: those the gateway computes (Via and the
   * forwarding headers, the framing, Expect) and the ones hop-by-hop whatever Connection says.
   */
  private static final AsciiString[] DROPPED = {
    HttpHeaderNames.VIA,
    X_FORWARDED_FOR,
    X_FORWARDED_HOST,
    X_FORWARDED_PROTO,
    HttpHeaderNames.EXPECT,
    HttpHeaderNames.CONTENT_LENGTH,
    HttpHeaderNames.TRANSFER_ENCODING,
    HttpHeaderNames.CONNECTION,
    HopByHopHeaders.KEEP_ALIVE,
    HttpHeaderNames.TE,
    HttpHeaderNames.TRAILER,
    HttpHeaderNames.UPGRADE,
  };

  private static final int VIA_INDEX = 0;
  private static final int X_FORWARDED_FOR_INDEX = 1;

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

  NettyUpstream(GatewayConfig config, EventLoopGroup group, NettyTransport transport)
      throws SSLException {
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
            .channel(transport.clientChannel())
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
    return pathPrefix.isEmpty() ? rawPathAndQuery : pathPrefix + rawPathAndQuery;
  }

  /**
   * The head forwarded for {@code incoming}, on a copy of its headers: those but the hop-by-hop
   * ones and those the client computes, plus the forwarding headers; {@code contentLength} is set
   * when 0 or more, else the body is sent chunked if {@code chunked}.
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
    HttpHeaders headers = NettyProxyHandler.COPIED_HEADERS.newHeaders().set(incoming.headers());
    if (key != null) {
      headers.set(WebhookForwardingHandler.KEY_HEADER, key);
    }
    rewrite(headers, remoteAddress, contentLength, chunked);
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, incoming.method(), target, headers);
  }

  /**
   * The head forwarded for {@code incoming} as {@link #head} makes it, but on {@code incoming}'s
   * own headers, rewritten in place: nothing is copied. {@code incoming}'s headers are the
   * forwarded ones afterwards, so this is called once per request (a resend sends the same head
   * again).
   */
  HttpRequest forwardedHead(
      HttpRequest incoming,
      String target,
      String remoteAddress,
      long contentLength,
      boolean chunked) {
    rewrite(incoming.headers(), remoteAddress, contentLength, chunked);
    return new DefaultHttpRequest(
        HttpVersion.HTTP_1_1, incoming.method(), target, incoming.headers());
  }

  /**
   * Turns a caller's headers into the forwarded ones in one pass: Host names the upstream (in the
   * place the caller's stood), the hop-by-hop headers and those the gateway computes (framing,
   * Expect, the forwarding headers) are dropped, then the forwarding headers and the framing added.
   */
  private void rewrite(
      HttpHeaders headers, String remoteAddress, long contentLength, boolean chunked) {
    HopByHopHeaders hopByHop = HopByHopHeaders.of(headers);
    String callerHost = null;
    int hosts = 0;
    String forwardedFor = null;
    String via = null;
    int drop = 0; // bits: indexes into DROPPED
    List<CharSequence> alsoDrop = null; // Proxy-* and the names Connection lists: rare
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        it.hasNext(); ) {
      Map.Entry<CharSequence, CharSequence> field = it.next();
      CharSequence name = field.getKey();
      if (name.length() == 4 && HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
        if (hosts++ == 0) {
          callerHost = field.getValue().toString();
          field.setValue(hostHeader);
        }
        continue;
      }
      int dropped = droppedIndex(name);
      if (dropped == X_FORWARDED_FOR_INDEX) {
        String value = field.getValue().toString();
        forwardedFor = forwardedFor == null ? value : forwardedFor + ", " + value;
      } else if (dropped == VIA_INDEX) {
        String value = field.getValue().toString();
        via = via == null ? value : via + ", " + value;
      }
      if (dropped >= 0) {
        drop |= 1 << dropped;
      } else if (hopByHop.contains(name)) {
        if (alsoDrop == null) {
          alsoDrop = new ArrayList<>(2);
        }
        alsoDrop.add(name);
      }
    }
    if (hosts != 1) {
      headers.set(HttpHeaderNames.HOST, hostHeader);
    }
    for (int i = 0; drop != 0; i++, drop >>>= 1) {
      if ((drop & 1) != 0) {
        headers.remove(DROPPED[i]);
      }
    }
    if (alsoDrop != null) {
      for (CharSequence name : alsoDrop) {
        headers.remove(name);
      }
    }
    headers.add(
        X_FORWARDED_FOR,
        forwardedFor == null ? remoteAddress : forwardedFor + ", " + remoteAddress);
    headers.add(X_FORWARDED_PROTO, HTTP);
    if (callerHost != null) {
      headers.add(X_FORWARDED_HOST, callerHost);
    }
    headers.add(HttpHeaderNames.VIA, via == null ? VIA : via + ", " + VIA);
    if (contentLength >= 0) {
      headers.add(HttpHeaderNames.CONTENT_LENGTH, contentLength);
    } else if (chunked) {
      headers.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
  }

  /** The index of {@code name} (any case) in {@link #DROPPED}, or -1; allocates nothing. */
  private static int droppedIndex(CharSequence name) {
    int length = name.length();
    for (int i = 0; i < DROPPED.length; i++) {
      if (DROPPED[i].length() == length && DROPPED[i].contentEqualsIgnoreCase(name)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Sends {@code head} upstream from {@code loop} (the caller's event loop, which runs every
   * callback), with {@code body} whole, or, when it is null, with the body the caller streams
   * through {@link Exchange#write}.
   */
  Exchange send(EventLoop loop, HttpRequest head, byte[] body, Receiver receiver) {
    Exchange exchange = new Exchange(head, body, receiver);
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
                    NettyGateway.Trailers trailers = new NettyGateway.Trailers();
                    channel
                        .pipeline()
                        .addLast(
                            new HttpClientCodec(
                                new HttpDecoderConfig()
                                    .setMaxInitialLineLength(MAX_INITIAL_LINE)
                                    .setMaxHeaderSize(UpstreamClient.MAX_RESPONSE_HEADER_BYTES)
                                    .setMaxChunkSize(MAX_CHUNK)
                                    .setTrailersFactory(trailers),
                                false,
                                false))
                        .addLast(new Connection(channel, pool, trailers));
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

  /**
   * One request upstream and its response, and the listener of its head's write (no byte written
   * means not sent). Used on its event loop only.
   */
  final class Exchange implements ChannelProgressiveFutureListener {
    private final HttpRequest head;
    private final byte[] body;
    private final Receiver receiver;
    private ArrayDeque<HttpContent> queued; // a streamed body's first pieces, made when needed
    private Connection connection;
    private long lastActivity;
    private boolean headWritten;
    private boolean requestDone;
    private boolean headReceived;
    private boolean done;
    private boolean closeAfter;

    private Exchange(HttpRequest head, byte[] body, Receiver receiver) {
      this.head = head;
      this.body = body;
      this.receiver = receiver;
      this.closeAfter = !NettyProxyHandler.isKeepAlive(head);
    }

    /** Sends the next piece of a streamed body (queued until the connection is ready). */
    void write(HttpContent content) {
      if (done) {
        content.release();
        return;
      }
      if (connection == null) {
        if (queued == null) {
          queued = new ArrayDeque<>(2);
        }
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
      written.addListener(this);
      // Over TLS the bytes written are the handler's: from the first write on, count it sent.
      headWritten = ssl != null;
      channel.write(head, written);
      if (body != null) {
        if (body.length > 0) {
          // Into a pooled buffer of the socket's kind at once: a wrapped array would be copied
          // into one anyway on its way to the socket, after a wrapper allocated per request.
          channel.write(
              new DefaultHttpContent(channel.alloc().buffer(body.length).writeBytes(body)),
              channel.voidPromise());
        }
        // The shared empty end: a last content of its own would allocate a trailer map.
        channel.write(LastHttpContent.EMPTY_LAST_CONTENT, channel.voidPromise());
        requestDone = true;
      } else {
        HttpContent content;
        while (queued != null && (content = queued.poll()) != null) {
          requestDone |= content instanceof LastHttpContent;
          channel.write(content, channel.voidPromise());
        }
      }
      channel.flush();
      if (!done) {
        lastActivity = System.nanoTime();
        connection.watch();
      }
    }

    @Override
    public void operationProgressed(ChannelProgressiveFuture future, long progress, long total) {
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
        closeAfter |= !NettyProxyHandler.isKeepAlive(response);
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

    private void releaseQueued() {
      HttpContent content;
      while (queued != null && (content = queued.poll()) != null) {
        content.release();
      }
    }

    /** True when the method's response carries no body ({@code HEAD}). */
    boolean isHead() {
      return head.method().equals(HttpMethod.HEAD);
    }
  }

  /**
   * One keep-alive connection to the upstream, with the exchange on it if any, and the timer that
   * fails an exchange silent for the upstream timeout. The timer outlives exchanges: it is armed
   * when an exchange starts and none is pending, and when it fires it checks the exchange on the
   * connection then, so a keep-alive connection schedules one timer per timeout, not one per
   * request.
   */
  private final class Connection extends ChannelInboundHandlerAdapter implements Runnable {
    private final Channel channel;
    private final ArrayDeque<Connection> pool;
    private final NettyGateway.Trailers trailers;
    private Exchange exchange;
    private long idleSince;
    private ScheduledFuture<?> timer;

    Connection(Channel channel, ArrayDeque<Connection> pool, NettyGateway.Trailers trailers) {
      this.channel = channel;
      this.pool = pool;
      this.trailers = trailers;
    }

    /** Makes sure the timer runs while an exchange is on this connection. */
    void watch() {
      if (timer == null) {
        timer = channel.eventLoop().schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
      }
    }

    /** The timer: fails the exchange silent for the timeout, or waits for the rest of it. */
    @Override
    public void run() {
      timer = null;
      Exchange current = exchange;
      if (current == null || current.done) {
        return; // armed again by the next exchange
      }
      long idle = System.nanoTime() - current.lastActivity;
      if (idle >= timeoutNanos) {
        current.fail(new TimeoutException("no answer within the upstream timeout"), true);
      } else {
        timer = channel.eventLoop().schedule(this, timeoutNanos - idle, TimeUnit.NANOSECONDS);
      }
    }

    void attach(Exchange exchange) {
      this.exchange = exchange;
      channel.config().setAutoRead(true);
      exchange.start(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      if (message instanceof HttpResponse head) {
        // The decoder hands each head on before it decodes the body that follows it.
        trailers.expect(head);
      }
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
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
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
