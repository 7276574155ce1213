package dev.idempo.gateway;

import dev.idempo.http.CapturedResponse;
import dev.idempo.http.Decision;
import dev.idempo.http.HttpAttempt;
import dev.idempo.http.HttpIdempotency;
import dev.idempo.http.ProblemType;
import dev.idempo.http.RequestBodyTooLargeException;
import dev.idempo.store.StoreUnavailableException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One caller connection of the Netty engine: the same request handling as {@link
 * IdempotentProxyHandler}, driven by events on the connection's event loop instead of a blocking
 * thread:
 *
 * <ol>
 *   <li>Framing the gateway cannot forward unambiguously is refused with 400 and the connection
 *       closed: {@code Content-Length} with {@code Transfer-Encoding}, a transfer coding other than
 *       {@code chunked}, several or malformed lengths (Netty's decoder refuses the last two), an
 *       {@code Expect} other than {@code 100-continue} (417). A request {@link RequestAmbiguity}
 *       refuses is answered 400 {@code request-ambiguous}.
 *   <li>The decision is taken on the head ({@link HttpIdempotency#prepare}): a request that passes
 *       through is forwarded at once, its body streamed; one answered at once (a bad key, a body
 *       declared too large) gets its answer and the connection is closed. A guarded request's body
 *       is read whole (up to the limit, 413 beyond) and fingerprinted, then the key claimed.
 *   <li>Store calls that may block run on the store pool, the in-memory store's in place; the
 *       connection reads nothing meanwhile (a pipelined request waits its turn).
 *   <li>Forwarding, the resend of a request not one byte of which was written, the settling of
 *       unknown outcomes and the held-back last chunk are {@link IdempotentProxyHandler}'s.
 * </ol>
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop (store calls run
 * elsewhere and come back to it).
 */
// Netty reports the outcome of a write or close that matters through a listener where it is
// added (the request head written, a response flushed before closing); every other write or
// close that fails also closes the channel, which channelInactive handles. Netty's own code
// ignores these futures the same way.
@SuppressWarnings("FutureReturnValueIgnored")
final class NettyProxyHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(NettyProxyHandler.class);

  /**
   * Headers copied from a message Netty decoded (and so validated) or from a stored response:
   * validating them again would cost per request and find nothing.
   */
  static final HttpHeadersFactory COPIED_HEADERS =
      DefaultHttpHeadersFactory.headersFactory().withValidation(false);

  private final NettyGateway gateway;
  private final HttpIdempotency idempotency;
  private final GatewayMetrics metrics;
  private final OnUnknownOutcome onUnknownOutcome;
  private final ArrayDeque<Object> waiting = new ArrayDeque<>(0);

  private Channel channel;
  private String remoteAddress; // the caller's, formatted when first needed
  private Exchange current;
  private boolean closed;

  NettyProxyHandler(NettyGateway gateway) {
    this.gateway = gateway;
    this.idempotency = gateway.idempotency();
    this.metrics = gateway.metrics();
    this.onUnknownOutcome = gateway.config().onUnknownOutcome();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {

    this.channel = ctx.channel();
  }

  /** True when no request is in progress on this connection (a drain closes it at once). */
  boolean isIdle() {
    return current == null && waiting.isEmpty();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (closed) {
      ReferenceCountUtil.release(message);
      return;
    }
    Exchange exchange = current;
    if (exchange != null && (exchange.requestReceived || !waiting.isEmpty())) {
      // A pipelined request: it waits until this one is answered.
      waiting.add(message);
      channel.config().setAutoRead(false);
      return;
    }
    dispatch(message);
  }

  private void dispatch(Object message) {
    if (message instanceof HttpRequest request) {

      if (current != null) {
        ReferenceCountUtil.release(message);
        return;
      }
      try {
        begin(request);
      } catch (RuntimeException | Error e) {
        LOG.warn("handling a request failed: {}", StoreConnection.oneLine(e), e);
        if (current != null) {
          current.failedInternally(e);
        } else {
          closeNow();
        }
      }
      if (message instanceof HttpContent httpContent && current != null) {
        current.requestContent(httpContent);
      } else {
        ReferenceCountUtil.release(message);
      }
    } else if (message instanceof HttpContent httpContent) {
      if (current != null) {
        current.requestContent(httpContent);
      } else {
        ReferenceCountUtil.release(message);
      }
    } else {
      ReferenceCountUtil.release(message);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    Object message;
    while ((message = waiting.poll()) != null) {
      ReferenceCountUtil.release(message);
    }
    if (current != null) {
      current.callerGone();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (current != null) {
      current.callerWritable(channel.isWritable());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("caller connection failed", cause);
    ctx.close();
  }

  private void begin(HttpRequest request) {
    DecoderResult decoded = request.decoderResult();
    if (decoded.isFailure()) {
      refuseMalformed(decoded.cause());
      return;
    }
    String framing = framingProblem(request);
    if (framing != null) {
      LOG.info("refused {} {}: {}", request.method(), request.uri(), framing);
      writeBareAndClose(HttpResponseStatus.BAD_REQUEST, framing);
      return;
    }
    String expect = request.headers().get(HttpHeaderNames.EXPECT);
    if (expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim())) {
      writeBareAndClose(HttpResponseStatus.EXPECTATION_FAILED, "unsupported Expect: " + expect);
      return;
    }
    String target = targetOf(request.uri());
    if (target == null) {
      writeBareAndClose(HttpResponseStatus.BAD_REQUEST, "bad request target");
      return;
    }
    int question = target.indexOf('?');
    String path = question < 0 ? target : target.substring(0, question);
    String query = question < 0 ? "" : target.substring(question + 1);
    NettyIncomingRequest incoming =
        new NettyIncomingRequest(request, path.isEmpty() ? "/" : path, query);
    NettyWebhooks webhooks = gateway.webhooks();
    if (webhooks != null && webhooks.accepts(path)) {
      current = new Exchange(incoming, target);
      metrics.requestStarted();
      current.webhook = true;
      if (current.hasBody) {
        current.startBody(webhooks.maxBodyBytes());
      } else {
        current.receiveWebhook();
      }
      return;
    }
    current = new Exchange(incoming, target);
    metrics.requestStarted();
    current.decide();
  }

  /** Why the request's framing cannot be forwarded unambiguously, or null. */
  static String framingProblem(HttpRequest request) {
    HttpHeaders headers = request.headers();
    if (!headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return null; // without the list getAll builds even for no value
    }
    List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (codings.isEmpty()) {
      return null;
    }
    if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      return "both Content-Length and Transfer-Encoding";
    }
    if (codings.size() != 1 || !codings.get(0).trim().equalsIgnoreCase("chunked")) {
      return "a transfer coding other than chunked alone: " + String.join(", ", codings);
    }
    if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      return "Transfer-Encoding in an HTTP/1.0 request";
    }
    return null;
  }

  /**
   * {@link HttpUtil#isKeepAlive}, without the iterator it allocates when the message has no {@code
   * Connection} field: then the version's default decides.
   */
  static boolean isKeepAlive(HttpMessage message) {
    if (!message.headers().contains(HttpHeaderNames.CONNECTION)) {
      return message.protocolVersion().isKeepAliveDefault();
    }
    return HttpUtil.isKeepAlive(message);
  }

  /**
   * The raw path and query of {@code uri} (origin form, or the path of an absolute form), with raw
   * UTF-8 decoded as such (Netty reads the request line as ISO-8859-1), or null if it is not a
   * target the gateway forwards.
   */
  static String targetOf(String uri) {
    String target = uri;
    if (!target.startsWith("/")) {
      int scheme = target.indexOf("://");
      if (scheme <= 0) {
        return null;
      }
      int slash = target.indexOf('/', scheme + 3);
      int question = target.indexOf('?', scheme + 3);
      if (slash < 0 || (question >= 0 && question < slash)) {
        target = "/" + (question < 0 ? "" : target.substring(question));
      } else {
        target = target.substring(slash);
      }
    }
    for (int i = 0; i < target.length(); i++) {
      if (target.charAt(i) > 0x7F) {
        try {
          return StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(target.getBytes(StandardCharsets.ISO_8859_1)))
              .toString();
        } catch (CharacterCodingException e) {
          return null;
        }
      }
    }
    return target;
  }

  private void refuseMalformed(Throwable cause) {
    HttpResponseStatus status = HttpResponseStatus.BAD_REQUEST;
    if (cause instanceof TooLongHttpHeaderException) {
      status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    } else if (cause instanceof TooLongHttpLineException) {
      status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
    } else if (cause instanceof TooLongFrameException) {
      status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    }
    LOG.debug("refused a malformed request: {}", cause.toString());
    writeBareAndClose(status, cause.getMessage() == null ? "bad message" : cause.getMessage());
  }

  /** Answers a request refused before it was understood, as Jetty does: plain text, then close. */
  private void writeBareAndClose(HttpResponseStatus status, String reason) {
    byte[] body =
        ("<h1>Bad Message "
                + status.code()
                + "</h1><pre>reason: "
                + status.reasonPhrase()
                + "</pre>")
            .getBytes(StandardCharsets.ISO_8859_1);
    DefaultFullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html;charset=iso-8859-1");
    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    closed = true;
    channel.write(response);
    closeLingering();
    LOG.trace("refused: {}", reason);
  }

  /**
   * Closes after what was written, while the caller may still be sending a body nobody reads: the
   * output is shut first and what still comes is read and dropped for a moment, so the caller's
   * unread bytes do not reset the connection before it read the answer.
   */
  private void closeLingering() {
    channel
        .writeAndFlush(Unpooled.EMPTY_BUFFER)
        .addListener(
            (ChannelFutureListener)
                written -> {
                  if (channel instanceof SocketChannel && channel.isActive()) {
                    ((SocketChannel) channel).shutdownOutput();
                    channel.config().setAutoRead(true);
                    channel.eventLoop().schedule(() -> channel.close(), 2, TimeUnit.SECONDS);
                  } else {
                    channel.close();
                  }
                });
  }

  private void closeNow() {
    closed = true;
    channel.close();
  }

  /** The exchange ended: read the next request, or close when this connection is done. */
  private void ended(Exchange exchange, boolean close) {
    if (current != exchange) {
      return;
    }
    current = null;
    metrics.requestEnded(exchange.outcome);
    if (close || !exchange.requestRead() || gateway.isDraining()) {
      closed = true;
      Object message;
      while ((message = waiting.poll()) != null) {
        ReferenceCountUtil.release(message);
      }
      if (exchange.requestRead()) {
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      } else {
        closeLingering();
      }
      return;
    }
    Object message;
    while (current == null && !closed && (message = waiting.poll()) != null) {
      dispatch(message);
    }
    if (current == null || !current.requestReceived) {
      channel.config().setAutoRead(true);
    }
  }

  /** One request from the caller, with how it ended so far. */
  private final class Exchange implements NettyUpstream.Receiver {
    private final NettyIncomingRequest incoming;
    private final HttpRequest request;
    private final String target;
    private final boolean head;
    private boolean keepAlive;
    private RequestOutcome outcome = RequestOutcome.PROBLEM;
    private boolean webhook;

    // The request body.
    private final boolean hasBody;
    private boolean requestReceived; // its last content came
    private boolean streaming; // a pass-through body goes upstream as it comes
    private boolean discarding; // answered before the body: the rest is never read
    private byte[] buffer;
    private int length;
    private int limit;

    // Forwarding.
    private HttpAttempt attempt;
    private boolean resendable;
    private int sends;
    private HttpRequest forwarded; // the head sent upstream
    private NettyUpstream.Exchange upstream;

    // The response.
    private HttpResponse pendingHead; // the caller's head, written with the first chunk
    private HttpContent held; // the chunk held back under a claim
    private int status;
    private boolean committed;
    private boolean gone;
    private CapturedResponse.Builder captured;
    private boolean capture;
    private boolean tooLarge;
    private byte[] body;
    private int bodyLength;
    private boolean finished;

    Exchange(NettyIncomingRequest incoming, String target) {
      this.incoming = incoming;
      this.request = incoming.nettyRequest();
      this.target = target;
      this.head = request.method().equals(HttpMethod.HEAD);
      this.keepAlive = isKeepAlive(request);
      // framingProblem let through no Transfer-Encoding but chunked alone.
      this.hasBody =
          request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
              || HttpUtil.getContentLength(request, 0L) > 0;
      if (!hasBody) {
        incoming.body(new byte[0]);
      }
    }

    /** True when the whole request was read, so the connection may carry another. */
    boolean requestRead() {
      return requestReceived || !hasBody;
    }

    /**
     * Runs {@code call} where store calls may run, then {@code then} on this event loop; if either
     * throws, the exchange ends as {@link #failedInternally} says.
     */
    private <T> void onStore(Supplier<T> call, Consumer<T> then) {
      java.util.concurrent.Executor store = gateway.storeExecutor();
      if (store == null) {
        T result;
        try {
          result = call.get();
          then.accept(result);
        } catch (RuntimeException | Error e) {
          failedInternally(e);
        }
        return;
      }
      store.execute(
          () -> {
            try {
              T result = call.get();
              channel
                  .eventLoop()
                  .execute(
                      () -> {
                        try {
                          then.accept(result);
                        } catch (RuntimeException | Error e) {
                          failedInternally(e);
                        }
                      });
            } catch (RuntimeException | Error e) {
              channel.eventLoop().execute(() -> failedInternally(e));
            }
          });
    }

    void decide() {
      Optional<String> ambiguity =
          RequestAmbiguity.of(
              idempotency.routes(),
              gateway.webhookPaths(),
              request.method().name(),
              incoming.path());
      if (ambiguity.isPresent()) {
        // Forwarded, it could run as another request than the one guarded: nothing is sent.
        LOG.info("refused {} {}: {}", request.method(), incoming.path(), ambiguity.get());
        answerEarly(idempotency.problem(ProblemType.REQUEST_AMBIGUOUS, ambiguity.get()));
        return;
      }
      Decision decision;
      try {
        decision = idempotency.prepare(incoming);
      } catch (NettyIncomingRequest.BodyNotRead needed) {
        startBody(idempotency.maxRequestBodyBytes());
        return;
      } catch (IOException e) {
        throw new IllegalStateException(e); // the head-only request reads nothing
      }
      if (decision instanceof Decision.PassThrough) {
        outcome = RequestOutcome.PASSTHROUGH;
        if (!hasBody) {
          forward(new byte[0], null);
        } else {
          streaming = true;
          continueIfExpected();
          forward(null, null);
        }
      } else if (decision instanceof Decision.Respond respond) {

        outcome = outcomeOf(respond);
        answerEarly(respond.response());
      } else {
        claim(); // a guarded request with no body to read
      }
    }

    /** Answers before the body was read: the connection carries no other request. */
    private void answerEarly(CapturedResponse answer) {
      keepAlive = false;
      discarding = true;
      send(answer);
    }

    void startBody(int limit) {
      this.limit = limit;
      long declared = HttpUtil.getContentLength(request, -1L);
      if (declared > limit) {
        // Declared too large: answered without reading it.
        if (webhook) {
          incoming.body(new byte[limit + 1]);
          discarding = true;
          keepAlive = false;
          receiveWebhook();
        } else {
          bodyTooLarge(declared);
        }
        return;
      }
      buffer = new byte[declared >= 0 ? (int) declared : Math.min(limit, 1024)];
      continueIfExpected();
    }

    private void continueIfExpected() {
      if (HttpUtil.is100ContinueExpected(request)) {
        channel.writeAndFlush(
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
      }
    }

    void requestContent(HttpContent content) {
      boolean last = content instanceof LastHttpContent;
      if (content.decoderResult().isFailure()) {
        content.release();
        requestReceived = true;
        keepAlive = false;
        if (streaming && upstream != null) {
          // The body cannot be finished: the upstream must not take it as whole.
          upstream.abort();
          upstream = null;
          failedInternally(new IOException("malformed request body"));
        } else if (!discarding && !committed && pendingHead == null && attempt == null) {
          discarding = true;
          closed = true;
          writeBareAndClose(HttpResponseStatus.BAD_REQUEST, "malformed body");
          ended(this, true);
        }
        return;
      }
      if (last) {
        requestReceived = true;
      }
      if (discarding) {
        content.release();
        return;
      }
      if (streaming) {
        if (upstream != null) {
          upstream.write(content);
          if (!upstream.isWritable()) {
            channel.config().setAutoRead(false);
          }
        } else {
          content.release();
        }
        return;
      }
      if (buffer == null) {
        content.release();
        return;
      }
      ByteBuf data = content.content();
      int readable = data.readableBytes();
      if (length + readable > limit) {
        content.release();
        buffer = null;
        if (webhook) {
          incoming.body(new byte[limit + 1]);
          discarding = true;
          keepAlive = false;
          receiveWebhook();
        } else {
          bodyTooLarge(-1);
        }
        return;
      }
      if (length + readable > buffer.length) {
        buffer =
            Arrays.copyOf(buffer, Math.min(limit, Math.max(length + readable, buffer.length * 2)));
      }
      data.getBytes(data.readerIndex(), buffer, length, readable);
      length += readable;
      content.release();
      if (last) {
        bodyRead();
      }
    }

    private void bodyRead() {
      byte[] read = length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
      buffer = null;
      incoming.body(read);
      if (webhook) {
        receiveWebhook();
      } else {
        claim();
      }
    }

    private void bodyTooLarge(long declared) {
      outcome = RequestOutcome.PROBLEM;
      RequestBodyTooLargeException tooLargeBody = new RequestBodyTooLargeException(limit, declared);
      answerEarly(
          idempotency.problem(
              ProblemType.BODY_TOO_LARGE, "The " + tooLargeBody.getMessage() + "."));
    }

    private void receiveWebhook() {
      channel.config().setAutoRead(!requestReceived);
      gateway
          .webhooks()
          .receive(
              incoming,
              target,
              remoteAddress(),
              channel.eventLoop(),
              (answer, answerOutcome) -> {
                outcome = answerOutcome;
                send(answer);
              });
    }

    /** Claims the key (reading the body took place), then answers or forwards. */
    private void claim() {
      channel.config().setAutoRead(false);
      if (gateway.storeExecutor() == null) {
        // In place, as onStore would run it, without its two lambdas per request.
        try {
          claimed(begin());
        } catch (RuntimeException | Error e) {
          failedInternally(e);
        }
        return;
      }
      onStore(this::begin, this::claimed);
    }

    private Decision begin() {
      try {
        return idempotency.begin(incoming);
      } catch (IOException e) {
        throw new IllegalStateException(e); // the body is read: nothing to fail
      }
    }

    private void claimed(Decision decision) {
      if (decision instanceof Decision.Respond respond) {
        outcome = outcomeOf(respond);
        send(respond.response());
      } else if (decision instanceof Decision.PassThrough) {
        outcome = RequestOutcome.PASSTHROUGH;
        forward(incoming.bufferedBody(), null);
      } else {
        forward(incoming.bufferedBody(), ((Decision.Proceed) decision).attempt());
      }
    }

    private String remoteAddress() {
      if (remoteAddress == null) {
        // Once per connection: getHostAddress formats the address anew on every call.
        SocketAddress remote = channel.remoteAddress();
        remoteAddress =
            remote instanceof InetSocketAddress inetSocketAddress
                ? inetSocketAddress.getAddress().getHostAddress()
                : String.valueOf(remote);
      }
      return remoteAddress;
    }

    /** Sends the request upstream: {@code body} whole, or streamed when null. */
    private void forward(byte[] body, HttpAttempt attempt) {
      this.attempt = attempt;
      if (attempt != null) {
        outcome = RequestOutcome.EXECUTED;
      }
      this.resendable = body != null;
      sends++;
      long contentLength =
          body != null
              ? (body.length > 0 || request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
                  ? body.length
                  : -1)
              : HttpUtil.getContentLength(request, -1L);
      if (forwarded == null) {
        // Rewrites the caller's head in place; a resend sends the same head again.
        forwarded =
            gateway
                .upstream()
                .forwardedHead(
                    request,
                    gateway.upstream().target(target),
                    remoteAddress(),
                    contentLength,
                    body == null && contentLength < 0);
      }
      upstream = gateway.upstream().send(channel.eventLoop(), forwarded, body, this);
    }

    @Override
    public void writable(boolean writable) {
      if (streaming && !requestReceived && !closed) {
        channel.config().setAutoRead(writable);
      }
    }

    void callerWritable(boolean writable) {
      if (upstream != null && !finished) {
        upstream.setAutoRead(writable);
      }
    }

    @Override
    public void failed(UpstreamExchange.UpstreamFailure failure, boolean headReceived) {
      upstream = null;
      if (finished) {
        return;
      }
      if (headReceived) {
        brokenOff(failure);
        return;
      }
      if (sends == 1 && resendable && failure.isConnectionClosedBeforeSending()) {
        // Not a byte of it was written, on a connection the upstream closed: it cannot have
        // taken effect, so it is sent once more, on another connection.
        LOG.info(
            "upstream closed the connection before the request was sent ({}); sending it again",
            UpstreamExchange.UpstreamFailure.reason(failure.getCause()));
        forward(incoming.bufferedBody() == null ? new byte[0] : incoming.bufferedBody(), attempt);
        return;
      }
      if (streaming && !requestReceived) {
        // The rest of the caller's body is not read: this connection carries no other request.
        keepAlive = false;
        discarding = true;
      }
      answerFailure(failure);
    }

    private void answerFailure(UpstreamExchange.UpstreamFailure failure) {
      String reason = UpstreamExchange.UpstreamFailure.reason(failure.getCause());
      CapturedResponse problem =
          failure.problem(
              idempotency, gateway.config().upstreamTimeout(), onUnknownOutcome, attempt != null);
      boolean notSent = failure.kind() == UpstreamExchange.FailureKind.NOT_SENT;
      if (notSent) {
        LOG.warn("upstream unreachable, request not sent: {}", reason);
      } else {
        LOG.warn(
            "upstream gave no answer after the request was sent ({}): {}", failure.kind(), reason);
      }
      if (attempt == null) {
        send(problem);
      } else if (notSent) {
        release(() -> send(problem));
      } else {
        settleUnknown(() -> send(problem));
      }
    }

    @Override
    public void head(HttpResponse answer) {
      status = answer.status().code();
      if (status < 200) {
        // A final answer is 200 or more; 101 to a request that asked for no upgrade is not one.
        upstream.abort();
        upstream = null;
        LOG.warn(
            "upstream answered {} as its final response; {}",
            status,
            attempt == null ? "answering 502" : settlement());
        if (attempt == null) {
          send(
              idempotency.problem(
                  ProblemType.UPSTREAM_UNAVAILABLE, "The upstream sent no final response."));
        } else {
          settleUnknown(
              () ->
                  send(
                      unknownOutcomeProblem(
                          new UpstreamExchange.UpstreamFailure(
                              UpstreamExchange.FailureKind.CONNECTION_LOST,
                              new IOException("no final response")))));
        }
        return;
      }
      // The upstream's headers become the caller's, in place: one pass drops the hop-by-hop ones
      // and captures the rest; nothing is copied but what the store keeps.
      HttpHeaders to = answer.headers();
      HopByHopHeaders hopByHop = HopByHopHeaders.of(to);
      boolean storable = status <= 599;
      captured = attempt != null && storable ? CapturedResponse.builder(status) : null;
      List<CharSequence> dropped = null;
      for (Iterator<Map.Entry<CharSequence, CharSequence>> it = to.iteratorCharSequence();
          it.hasNext(); ) {
        Map.Entry<CharSequence, CharSequence> field = it.next();
        CharSequence name = field.getKey();
        if (hopByHop.contains(name)) {
          if (dropped == null) {
            dropped = new ArrayList<>(2);
          }
          dropped.add(name);
          continue;
        }
        if (captured != null && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
          try {
            captured.header(nameOf(name), field.getValue().toString());
          } catch (IllegalArgumentException e) {
            // Not a header the store could hold; the caller still gets it.
          }
        }
      }
      if (dropped != null) {
        for (CharSequence name : dropped) {
          to.remove(name);
        }
      }
      boolean bodiless = head || status == 204 || status == 304;
      if (!bodiless && !to.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        if (request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
          to.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else {
          keepAlive = false; // the close ends the body
        }
      }
      if (!requestRead() || gateway.isDraining()) {
        keepAlive = false;
      }
      if (!keepAlive) {
        to.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
        to.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
      pendingHead = new DefaultHttpResponse(HttpVersion.HTTP_1_1, answer.status(), to);
      capture = captured != null && !attempt.releases(status);
      if (capture) {
        long declared = HttpUtil.getContentLength(answer, -1L);
        int limit = attempt.maxResponseBodyBytes();
        body =
            new byte[declared >= 0 && declared <= limit ? (int) declared : Math.min(limit, 1024)];
      }
    }

    @Override
    public void content(HttpContent content, boolean last) {
      if (last) {
        upstream = null;
      }
      if (finished) {
        content.release();
        return;
      }
      ByteBuf data = content.content();
      int readable = data.readableBytes();
      if (body != null) {
        int limit = attempt.maxResponseBodyBytes();
        if (bodyLength + readable > limit) {
          tooLarge = true;
          body = null;
        } else {
          if (bodyLength + readable > body.length) {
            body =
                Arrays.copyOf(
                    body, Math.min(limit, Math.max(bodyLength + readable, body.length * 2)));
          }
          data.getBytes(data.readerIndex(), body, bodyLength, readable);
          bodyLength += readable;
        }
      }
      if (attempt == null) {
        // Nothing to finish before the end: pass each chunk on at once (server-sent events).
        if (!gone) {
          writePendingHead();
          if (!last) {
            channel.writeAndFlush(new DefaultHttpContent(data), channel.voidPromise());
          } else {
            writeEnd(data);
          }
          committed = true;
          pauseUpstreamIfCallerSlow();
        } else {
          content.release();
        }
        if (last) {
          finish(!keepAlive);
        } else if (gone) {
          abortUpstream();
          finish(true);
        }
        return;
      }
      if (!last) {
        if (readable == 0) {
          content.release();
          return;
        }
        if (!gone && held != null) {
          writePendingHead();
          channel.writeAndFlush(held, channel.voidPromise());
          committed = true;
        } else if (held != null) {
          held.release();
        }
        held = new DefaultHttpContent(data);
        pauseUpstreamIfCallerSlow();
        if (gone && body == null) {
          // Nobody reads the rest and nothing of it would be stored.
          abortUpstream();
          complete(null);
        }
        return;
      }
      complete(data);
    }

    /**
     * Writes the last piece and ends the response. The end is the shared empty last content: a last
     * content of its own would allocate a trailer map per response.
     */
    private void writeEnd(ByteBuf last) {
      if (last != null && last.isReadable()) {
        channel.write(new DefaultHttpContent(last), channel.voidPromise());
      } else if (last != null) {
        last.release();
      }
      channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, channel.voidPromise());
    }

    private void pauseUpstreamIfCallerSlow() {
      if (upstream != null && !channel.isWritable()) {
        upstream.setAutoRead(false);
      }
    }

    private void abortUpstream() {
      if (upstream != null) {
        upstream.abort();
        upstream = null;
      }
    }

    /** Finishes the claim with the captured response, then writes the held-back end. */
    private void complete(ByteBuf last) {
      boolean tooLargeToStore = tooLarge || (capture && body == null);
      byte[] stored =
          body == null ? null : bodyLength == body.length ? body : Arrays.copyOf(body, bodyLength);
      body = null;
      CapturedResponse.Builder response = captured;
      int answered = status;
      HttpAttempt open = attempt;
      if (gateway.storeExecutor() == null) {
        // In place, as onStore would run it, without its two lambdas per request.
        try {
          completed(finishClaim(open, answered, response, stored, tooLargeToStore), last);
        } catch (RuntimeException | Error e) {
          failedInternally(e);
        }
        return;
      }
      onStore(
          () -> finishClaim(open, answered, response, stored, tooLargeToStore),
          claimOutcome -> completed(claimOutcome, last));
    }

    /** The claim is finished: the held-back end goes to the caller, if still there. */
    private void completed(RequestOutcome claimOutcome, ByteBuf last) {
      outcome = claimOutcome;
      if (gone) {
        LOG.info(
            "the caller did not receive the whole {} answer (gone, or writing failed); {}",
            status,
            claimOutcome == RequestOutcome.RELEASED
                ? "the key was released"
                : "its retry gets what was recorded");
        if (last != null) {
          last.release();
        }
        releaseHeld();
        finish(true);
        return;
      }
      writePendingHead();
      if (held != null) {
        channel.write(held, channel.voidPromise());
        held = null;
      }
      writeEnd(last);
      committed = true;
      finish(!keepAlive || last == null);
    }

    /** On the store's thread: stores the response, the too-large problem, or settles unknown. */
    private RequestOutcome finishClaim(
        HttpAttempt open,
        int answered,
        CapturedResponse.Builder response,
        byte[] stored,
        boolean tooLargeToStore) {
      if (response == null) {
        LOG.warn("upstream answered status {}, which cannot be stored; {}", answered, settlement());
        return settleUnknownNow(open);
      }
      try {
        HttpAttempt.Completion completion =
            tooLargeToStore
                ? open.completeTooLargeToStore(answered)
                : open.complete(stored == null ? response.build() : response.body(stored).build());
        return completion == HttpAttempt.Completion.RELEASED
            ? RequestOutcome.RELEASED
            : RequestOutcome.EXECUTED;
      } catch (RuntimeException e) {
        // The upstream acted and the caller gets its answer; the claim still ends here.
        LOG.warn(
            "upstream answered {} for {} {}, but the response could not be stored ({}); {}",
            answered,
            request.method(),
            incoming.path(),
            StoreConnection.oneLine(e),
            open.isOpen() ? settlement() : "the claim is finished");
        if (open.isOpen()) {
          settleUnknownNow(open);
        }
        return RequestOutcome.EXECUTED;
      }
    }

    /** The upstream broke off mid-response: its outcome is unknown. */
    private void brokenOff(UpstreamExchange.UpstreamFailure failure) {
      LOG.warn(
          "upstream broke off its {} answer ({}): {}",
          status,
          failure.kind(),
          UpstreamExchange.UpstreamFailure.reason(failure.getCause()));
      body = null;
      Runnable answer =
          () -> {
            if (committed || gone) {
              releaseHeld();
              pendingHead = null;
              finish(true); // the caller sees the response cut short
              return;
            }
            releaseHeld();
            pendingHead = null;
            send(
                attempt != null
                    ? unknownOutcomeProblem(failure)
                    : idempotency.problem(
                        ProblemType.UPSTREAM_UNAVAILABLE,
                        "The connection to the upstream was lost during its answer."));
          };
      if (attempt != null) {
        settleUnknown(answer);
      } else {
        answer.run();
      }
    }

    private void releaseHeld() {
      if (held != null) {
        held.release();
        held = null;
      }
    }

    private void writePendingHead() {
      if (pendingHead != null) {
        channel.write(pendingHead, channel.voidPromise());
        pendingHead = null;
        committed = true;
      }
    }

    void callerGone() {
      gone = true;
      if (finished || upstream == null) {
        return; // a store call or the upstream's connect is under way: its end sees the caller gone
      }
      if (attempt == null) {
        abortUpstream();
        finish(true);
      } else if (status != 0 && body == null) {
        // Nobody reads the rest and nothing of it would be stored.
        abortUpstream();
        complete(null);
      } else {
        upstream.setAutoRead(true); // read on: the retry gets what is stored
      }
    }

    /** What {@link #settleUnknown} does, for log lines. */
    private String settlement() {
      return onUnknownOutcome == OnUnknownOutcome.REEXECUTE
          ? "releasing the key (--on-unknown reexecute)"
          : "recording the outcome as unknown";
    }

    /** What the caller gets when the upstream may or may not have acted. */
    private CapturedResponse unknownOutcomeProblem(UpstreamExchange.UpstreamFailure failure) {
      return onUnknownOutcome.problem(idempotency, failure, gateway.config().upstreamTimeout());
    }

    /** Records the unknown outcome, or releases the key, as the policy says; then {@code next}. */
    private void settleUnknown(Runnable next) {
      HttpAttempt open = attempt;
      onStore(
          () -> settleUnknownNow(open),
          settled -> {
            outcome = settled;
            next.run();
          });
    }

    private RequestOutcome settleUnknownNow(HttpAttempt open) {
      if (onUnknownOutcome == OnUnknownOutcome.REEXECUTE) {
        return releaseNow(open);
      }
      try {
        open.recordOutcomeUnknown();
      } catch (RuntimeException e) {
        LOG.warn(
            "could not record the unknown outcome; a retry finds the claim when its lease ends: {}",
            StoreConnection.oneLine(e));
      }
      return RequestOutcome.OUTCOME_UNKNOWN;
    }

    private void release(Runnable next) {
      HttpAttempt open = attempt;
      onStore(
          () -> releaseNow(open),
          released -> {
            outcome = released;
            next.run();
          });
    }

    private RequestOutcome releaseNow(HttpAttempt open) {
      try {
        open.release();
      } catch (StoreUnavailableException e) {
        // The core keeps retrying this release in the background (Idempotency, PendingReleases).
        LOG.warn(
            "could not release the key now; it is released in the background as soon as the store"
                + " answers (tried for the lease plus 5 minutes), then a retry forwards again: {}",
            StoreConnection.oneLine(e));
      } catch (RuntimeException e) {
        LOG.warn("could not release the key: {}", StoreConnection.oneLine(e));
      }
      return RequestOutcome.RELEASED;
    }

    /** Sends a whole response: a replay or a problem; then the exchange ends. */
    private void send(CapturedResponse answer) {
      if (finished) {
        return;
      }
      HttpHeaders headers = COPIED_HEADERS.newHeaders();
      answer
          .headers()
          .forEach(
              (name, values) -> {
                if (!name.equalsIgnoreCase("Content-Length")) {
                  headers.add(name, values);
                }
              });
      headers.set(HttpHeaderNames.CONTENT_LENGTH, answer.bodyLength());
      if (!requestRead() || gateway.isDraining()) {
        keepAlive = false;
      }
      if (!keepAlive) {
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      ByteBuf content = Unpooled.EMPTY_BUFFER;
      if (!head && answer.bodyLength() > 0) {
        content = channel.alloc().buffer(answer.bodyLength());
        try (ByteBufOutputStream out = new ByteBufOutputStream(content)) {
          answer.writeBodyTo(out);
        } catch (IOException e) {
          throw new IllegalStateException(e); // into memory: cannot fail
        }
      }
      if (!gone) {
        channel.writeAndFlush(
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(answer.status()),
                content,
                headers,
                EmptyHttpHeaders.INSTANCE),
            channel.voidPromise());
        committed = true;
      } else {
        content.release();
      }
      finish(!keepAlive);
    }

    /** Something broke in the gateway itself: the claim ends here, and the caller gets 500/502. */
    void failedInternally(Throwable failure) {
      abortUpstream();
      releaseHeld();
      pendingHead = null;
      keepAlive = false;
      if (attempt != null && attempt.isOpen()) {
        LOG.warn(
            "handling the request failed ({}); {}", StoreConnection.oneLine(failure), settlement());
        settleUnknown(
            () -> {
              if (committed) {
                finish(true);
              } else {
                send(
                    unknownOutcomeProblem(
                        new UpstreamExchange.UpstreamFailure(
                            UpstreamExchange.FailureKind.CONNECTION_LOST, failure)));
              }
            });
      } else if (committed) {
        finish(true);
      } else {
        send(
            idempotency.problem(
                ProblemType.INTERNAL_ERROR, "The gateway failed while handling this request."));
      }
    }

    private void finish(boolean close) {
      if (finished) {
        return;
      }
      finished = true;
      abortUpstream();
      releaseHeld();
      if (attempt != null) {
        attempt.close();
      }
      ended(this, close || !keepAlive);
    }
  }

  /**
   * Response header names as the store keeps them: a shared constant when the decoded name's bytes
   * are exactly one of these, a new String otherwise.
   */
  private static final String[] COMMON_RESPONSE_NAMES = {
    "Content-Type",
    "Date",
    "Server",
    "Location",
    "ETag",
    "Cache-Control",
    "content-type",
    "date",
    "server",
    "location",
    "etag",
    "cache-control",
  };

  private static String nameOf(CharSequence decoded) {
    for (String name : COMMON_RESPONSE_NAMES) {
      if (name.length() == decoded.length() && name.contentEquals(decoded)) {
        return name;
      }
    }
    return decoded.toString();
  }

  private static RequestOutcome outcomeOf(Decision.Respond respond) {
    if (respond.isReplay()) {
      return RequestOutcome.REPLAYED;
    }
    return switch (respond.problem().get()) {
      case KEY_IN_FLIGHT -> RequestOutcome.IN_FLIGHT;
      case KEY_MISMATCH -> RequestOutcome.MISMATCH;
      case OUTCOME_UNKNOWN -> RequestOutcome.OUTCOME_UNKNOWN;
      default -> RequestOutcome.PROBLEM;
    };
  }
}
