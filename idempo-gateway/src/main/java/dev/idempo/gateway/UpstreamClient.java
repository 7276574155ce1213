package dev.idempo.gateway;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.Connection;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.DuplexConnectionPool;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.ProcessingProtocolHandler;
import org.eclipse.jetty.client.ProtocolHandlers;
import org.eclipse.jetty.client.ProxyAuthenticationProtocolHandler;
import org.eclipse.jetty.client.RedirectProtocolHandler;
import org.eclipse.jetty.client.UpgradeProtocolHandler;
import org.eclipse.jetty.client.WWWAuthenticationProtocolHandler;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Forwards requests to the one upstream over Jetty's HTTP/1.1 client: rewrites the target (the
 * upstream's path prefix plus the request's raw path and query), drops hop-by-hop headers, adds
 * {@code X-Forwarded-For} (appended), {@code X-Forwarded-Proto}, {@code X-Forwarded-Host} and
 * {@code Via}, and passes everything else on unchanged, {@code Idempotency-Key} included.
 *
 * <p>The client follows no redirects, keeps no cookies, decodes no content and answers no
 * authentication challenge: the upstream's response reaches the caller as it was sent. Interim
 * responses (100, 102, 103 and other 1xx) are consumed here, so the final response is the one
 * relayed and stored. Response headers are accepted up to {@value #MAX_RESPONSE_HEADER_BYTES}
 * bytes, which the gateway's own listener is sized to write.
 *
 * <p>Pooled connections idle for {@link GatewayConfig#upstreamIdleTimeout()} are closed. As
 * Jetty's, nginx's and Envoy's guidance has it, the client's idle timeout must be below the
 * server's keep-alive, so the client always closes first: a request sent on a connection the
 * upstream is closing at that very moment cannot be told apart from one the upstream received and
 * then crashed on (both end with the connection closed and nothing received), so its outcome would
 * be unknown. The idle timer alone is not enough on a busy machine, where it can fire late: a
 * pooled connection idle for the idle timeout or longer is never used, timer or not ({@link
 * FreshConnectionPool}). The target's bytes are forwarded as received (raw UTF-8 included).
 *
 * <p>Thread-safe.
 */
final class UpstreamClient {
  /** The largest upstream response header block accepted; the listener writes this much. */
  static final int MAX_RESPONSE_HEADER_BYTES = 16 << 10;

  /** The largest request header block the listener accepts; the client sends this much. */
  static final int MAX_REQUEST_HEADER_BYTES = 8 << 10;

  private static final String VIA = "1.1 idempo-gateway";

  private final HttpClient client;
  private final URI upstream;
  private final String pathPrefix;
  private final Duration timeout;

  private UpstreamClient(HttpClient client, URI upstream, Duration timeout) {
    this.client = client;
    this.upstream = upstream;
    String path = upstream.getRawPath() == null ? "" : upstream.getRawPath();
    this.pathPrefix = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    this.timeout = timeout;
  }

  /**
   * Starts a client for {@code config}'s upstream.
   *
   * @throws Exception if the client does not start
   */
  static UpstreamClient start(GatewayConfig config) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("idempo-upstream");
    threads.setDaemon(true);
    ClientConnector connector = new ClientConnector();
    connector.setExecutor(threads);
    HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(connector);
    long maxIdleMillis = config.upstreamIdleTimeout().toMillis();
    transport.setConnectionPoolFactory(
        destination -> new FreshConnectionPool(destination, config.maxThreads(), maxIdleMillis));
    HttpClient client = new HttpClient(transport);
    client.setFollowRedirects(false);
    client.setHttpCookieStore(new HttpCookieStore.Empty());
    client.setUserAgentField(null);
    client.setDefaultRequestContentType(null);
    client.setConnectTimeout(Math.min(config.upstreamTimeout().toMillis(), 10_000));
    client.setIdleTimeout(config.upstreamIdleTimeout().toMillis());
    client.setMaxResponseHeadersSize(MAX_RESPONSE_HEADER_BYTES);
    // Every request the listener accepted fits, with the upstream's path prefix and the
    // forwarding headers the gateway adds.
    client.setRequestBufferSize(MAX_REQUEST_HEADER_BYTES + 4096);
    client.setResponseBufferSize(MAX_RESPONSE_HEADER_BYTES + 1024);
    client.setMaxConnectionsPerDestination(config.maxThreads());
    client.setMaxRequestsQueuedPerDestination(config.maxThreads() * 4);
    client.start();
    // After start, which installs the defaults: the proxy passes bodies and statuses through,
    // but keeps consuming interim responses, which are never the answer.
    client.getContentDecoderFactories().clear();
    ProtocolHandlers handlers = client.getProtocolHandlers();
    handlers.remove(RedirectProtocolHandler.NAME);
    handlers.remove(WWWAuthenticationProtocolHandler.NAME);
    handlers.remove(ProxyAuthenticationProtocolHandler.NAME);
    handlers.remove(new UpgradeProtocolHandler().getName());
    handlers.put(new InterimResponseHandler());
    return new UpstreamClient(client, config.upstream(), config.upstreamTimeout());
  }

  /**
   * Sends {@code request} upstream, with {@code body} if it was read already, else streaming the
   * request's own body.
   */
  UpstreamExchange send(Request request, byte[] body) {
    String target = pathPrefix + request.getHttpURI().getPath();
    String query = request.getHttpURI().getQuery();
    org.eclipse.jetty.client.Request forwarded =
        client
            .newRequest(upstream)
            .method(request.getMethod())
            .path(wireText(query == null ? target : target + "?" + query))
            .idleTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    HttpFields incoming = request.getHeaders();
    HopByHopHeaders hopByHop = HopByHopHeaders.of(incoming);
    String contentType = incoming.get(HttpHeader.CONTENT_TYPE);
    forwarded.headers(
        headers -> {
          for (HttpField field : incoming) {
            if (!hopByHop.contains(field) && !isRewritten(field)) {
              headers.add(field);
            }
          }
          List<String> forwardedFor = incoming.getValuesList("X-Forwarded-For");
          String remote = Request.getRemoteAddr(request);
          headers.put(
              "X-Forwarded-For",
              forwardedFor.isEmpty() ? remote : String.join(", ", forwardedFor) + ", " + remote);
          headers.put("X-Forwarded-Proto", request.isSecure() ? "https" : "http");
          String host = incoming.get(HttpHeader.HOST);
          if (host != null) {
            headers.put("X-Forwarded-Host", host);
          }
          List<String> via = incoming.getValuesList(HttpHeader.VIA);
          headers.put(HttpHeader.VIA, via.isEmpty() ? VIA : String.join(", ", via) + ", " + VIA);
        });
    if (body != null) {
      if (body.length > 0 || request.getLength() == 0) {
        forwarded.body(new BytesRequestContent(contentType, body));
      }
    } else if (request.getLength() > 0
        || (request.getLength() < 0 && incoming.contains(HttpHeader.TRANSFER_ENCODING))) {
      forwarded.body(new StreamedBody(request, contentType));
    }
    return UpstreamExchange.send(forwarded, timeout);
  }

  /**
   * {@code target} as Jetty's client writes it byte for byte: it writes each character as one
   * ISO-8859-1 byte, while the listener decoded the received target as UTF-8. Re-encoding keeps raw
   * UTF-8 (say {@code ?note=café}) the same bytes upstream instead of Latin-1.
   */
  static String wireText(String target) {
    for (int i = 0; i < target.length(); i++) {
      if (target.charAt(i) > 0x7F) {
        return new String(target.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
      }
    }
    return target;
  }

  void stop() throws Exception {
    client.stop();
  }

  /**
   * Headers the client computes (Host, Content-Length) or the gateway sets (forwarding, Expect).
   */
  private static boolean isRewritten(HttpField field) {
    return switch (field.getLowerCaseName()) {
      case "host",
          "content-length",
          "expect",
          "x-forwarded-for",
          "x-forwarded-proto",
          "x-forwarded-host",
          "via" ->
          true;
      default -> false;
    };
  }

  /**
   * Jetty's 102 handler, extended to every other interim status but 100 and 103 (handled by their
   * own handlers) and 101 (an upgrade the gateway never asks for): the response is reset and the
   * final one awaited.
   */
  private static final class InterimResponseHandler extends ProcessingProtocolHandler {
    @Override
    public boolean accept(
        org.eclipse.jetty.client.Request request, org.eclipse.jetty.client.Response response) {
      int status = response.getStatus();
      return status == 102 || (status >= 104 && status <= 199);
    }
  }

  /**
   * Jetty's pool, except that a connection idle for {@code maxIdleMillis} or longer is closed
   * instead of used, even when its idle timer has not fired yet (it fires late when threads are
   * starved): the upstream may be closing it.
   */
  static final class FreshConnectionPool extends DuplexConnectionPool {
    private final long maxIdleMillis;

    FreshConnectionPool(Destination destination, int maxConnections, long maxIdleMillis) {
      super(destination, maxConnections);
      this.maxIdleMillis = maxIdleMillis;
    }

    @Override
    protected Connection activate() {
      while (true) {
        Connection connection = super.activate();
        if (!(connection instanceof org.eclipse.jetty.io.Connection io)
            || !(io.getEndPoint() instanceof IdleTimeout endPoint)
            || endPoint.getIdleFor() < maxIdleMillis) {
          return connection;
        }
        remove(connection);
        connection.close();
      }
    }
  }

  /** The request's body, streamed upstream as the caller sends it. */
  private static final class StreamedBody implements org.eclipse.jetty.client.Request.Content {
    private final Request request;
    private final String contentType;

    StreamedBody(Request request, String contentType) {
      this.request = request;
      this.contentType = contentType;
    }

    @Override
    public String getContentType() {
      return contentType;
    }

    @Override
    public long getLength() {
      return request.getLength();
    }

    @Override
    public Content.Chunk read() {
      return request.read();
    }

    @Override
    public void demand(Runnable demandCallback) {
      request.demand(demandCallback);
    }

    @Override
    public void fail(Throwable failure) {
      request.fail(failure);
    }

    @Override
    public boolean rewind() {
      return false;
    }
  }

  @Override
  public String toString() {
    return "UpstreamClient[" + upstream + ", timeout " + DurationText.format(timeout) + "]";
  }
}
