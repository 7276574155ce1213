package dev.idempo.gateway;

import dev.idempo.http.CapturedResponse;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.webhooks.WebhookEndpointSpec;
import dev.idempo.webhooks.WebhookEvent;
import dev.idempo.webhooks.WebhookReceiver;
import dev.idempo.webhooks.WebhookRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's {@code --webhook} mode: deliveries to the configured webhook paths go through a
 * {@link WebhookReceiver} on the gateway's store instead of the Idempotency-Key handling. The
 * receiver verifies the signature (a refused delivery is answered 400 or 401, records nothing and
 * never reaches the upstream), claims the event id, and runs this handler's forward once per event:
 *
 * <ul>
 *   <li>the delivery goes to the upstream at the same path, headers and raw body unchanged, with
 *       {@code Idempotency-Key: PROVIDER:EVENT_ID} added (replacing any the sender set), so the
 *       upstream can deduplicate too (for example behind several gateways with separate stores);
 *   <li>an upstream 2xx completes the event: the sender gets 200, and every later delivery of it
 *       gets 200 at once without a forward;
 *   <li>any other status, a refused connection or a timeout releases the event: the sender gets 500
 *       and its retry forwards the event again. (The Idempotency-Key handling stores a 500 instead;
 *       for webhooks the sender's retry is the recovery path.)
 *   <li>a delivery of an event whose forward is still running gets 503 with {@code Retry-After}.
 * </ul>
 *
 * <p>The answer to the sender is the receiver's, not the upstream's: senders only read the status.
 *
 * <p>Thread-safe; each delivery blocks one request thread while the store and the upstream answer.
 */
final class WebhookForwardingHandler extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookForwardingHandler.class);

  /** The header the upstream finds the event's key in, as the Idempotency-Key handling sends it. */
  static final String KEY_HEADER = "Idempotency-Key";

  private final WebhookReceiver receiver;
  private final UpstreamClient upstream;
  private final GatewayMetrics metrics;

  /**
   * The delivery being received on this thread: the receiver runs the forward on the calling
   * thread, and the forward needs the Jetty request (all its headers, its connection) that {@link
   * WebhookEvent} does not carry.
   */
  @SuppressWarnings("ThreadLocalUsage") // per handler on purpose: its own request on this thread
  private final ThreadLocal<Request> receiving = new ThreadLocal<>();

  WebhookForwardingHandler(
      GatewayConfig config,
      IdempotencyStore store,
      UpstreamClient upstream,
      GatewayMetrics metrics) {
    this.upstream = upstream;
    this.metrics = metrics;
    WebhookReceiver.Builder builder =
        WebhookReceiver.builder(store)
            .retention(config.webhookRetention())
            .maxBodyBytes(Math.min(config.maxRequestBodyBytes(), WebhookReceiver.MAX_BODY_LIMIT))
            .listener(new WebhookMetrics(metrics.registry()));
    for (WebhookEndpointSpec spec : config.webhooks()) {
      builder.endpoint(spec.path(), spec.verifier(), this::forward);
    }
    this.receiver = builder.build();
  }

  /** True when {@code request} is for a webhook path (matched exactly, the query aside). */
  boolean accepts(Request request) {
    return receiver.paths().contains(request.getHttpURI().getPath());
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    metrics.requestStarted();
    RequestOutcome outcome = RequestOutcome.PROBLEM;
    try {
      byte[] body = readBody(request);
      if (body.length > receiver.maxBodyBytes()) {
        // The rest of the body is never read: this connection carries no other request.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
      }
      CapturedResponse answer;
      receiving.set(request);
      try {
        answer =
            receiver.receive(
                WebhookRequest.of(
                    request.getMethod(), request.getHttpURI().getPath(), headers(request), body));
      } finally {
        receiving.remove();
      }
      outcome = outcomeOf(answer);
      send(response, answer);
      callback.succeeded();
    } catch (Throwable failure) {
      callback.failed(failure);
    } finally {
      metrics.requestEnded(outcome);
    }
    return true;
  }

  /**
   * Forwards one new event; returns normally only on an upstream 2xx.
   *
   * @throws UpstreamRefusal for any other answer, or if the upstream could not be reached or did
   *     not answer in time: the receiver releases the event
   */
  private void forward(WebhookEvent event) throws Exception {
    Request keyed = withKey(receiving.get(), event.provider() + ":" + event.id());
    byte[] body = event.body();
    for (int sends = 1; ; sends++) {
      UpstreamExchange exchange = upstream.send(keyed, body);
      org.eclipse.jetty.client.Response answer;
      try {
        answer = exchange.awaitResponse();
      } catch (UpstreamExchange.UpstreamFailure failure) {
        if (sends == 1 && failure.isConnectionClosedBeforeSending()) {
          continue; // not a byte was written: it cannot have reached the upstream
        }
        throw new UpstreamRefusal(
            "the upstream did not answer " + event + " (" + failure.getMessage() + ")", failure);
      }
      int status = answer.getStatus();
      try (InputStream in = exchange.body()) {
        in.transferTo(OutputStream.nullOutputStream()); // frees the connection for reuse
      } catch (IOException e) {
        if (status < 300 && status >= 200) {
          // Its status came, so it acted; a body cut short does not undo that.
          LOG.info(
              "upstream broke off its {} answer to {}: {}",
              status,
              event,
              UpstreamExchange.UpstreamFailure.reason(e));
        }
      }
      if (status < 200 || status > 299) {
        throw new UpstreamRefusal("the upstream answered " + status + " to " + event, null);
      }
      return;
    }
  }

  /** {@code request} with the event's Idempotency-Key in place of any the sender sent. */
  private static Request withKey(Request request, String key) {
    HttpFields headers = HttpFields.build(request.getHeaders()).put(KEY_HEADER, key).asImmutable();
    return new Request.Wrapper(request) {
      @Override
      public HttpFields getHeaders() {
        return headers;
      }
    };
  }

  /** The body, or its first {@code maxBodyBytes + 1} bytes when longer (answered 413). */
  private byte[] readBody(Request request) throws IOException {
    int limit = receiver.maxBodyBytes();
    long declared = request.getLength();
    if (declared > limit) {
      return new byte[limit + 1];
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(declared > 0 ? (int) declared : 512);
    byte[] buffer = new byte[8192];
    InputStream in = Content.Source.asInputStream(request);
    int read;
    while ((read = in.read(buffer)) != -1) {
      bytes.write(buffer, 0, read);
      if (bytes.size() > limit) {
        break;
      }
    }
    return bytes.toByteArray();
  }

  private static Map<String, List<String>> headers(Request request) {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (HttpField field : request.getHeaders()) {
      headers.computeIfAbsent(field.getName(), name -> new ArrayList<>()).add(field.getValue());
    }
    return headers;
  }

  static RequestOutcome outcomeOf(CapturedResponse answer) {
    int status = answer.status();
    if (status == 200) {
      return answer.header(WebhookReceiver.REPLAYED_HEADER).isPresent()
          ? RequestOutcome.REPLAYED
          : RequestOutcome.EXECUTED;
    }
    if (status == 500) {
      return RequestOutcome.RELEASED;
    }
    if (status == 503 && answer.header("Retry-After").isPresent()) {
      return RequestOutcome.IN_FLIGHT;
    }
    return RequestOutcome.PROBLEM;
  }

  private static void send(Response response, CapturedResponse answer) throws IOException {
    response.setStatus(answer.status());
    HttpFields.Mutable headers = response.getHeaders();
    answer
        .headers()
        .forEach(
            (name, values) -> {
              if (!name.equalsIgnoreCase("Content-Length")) {
                values.forEach(value -> headers.add(name, value));
              }
            });
    headers.put(HttpHeader.CONTENT_LENGTH, answer.bodyLength());
    try (Blocker.Callback written = Blocker.callback()) {
      response.write(true, ByteBuffer.wrap(answer.body(), 0, answer.bodyLength()), written);
      written.block();
    }
  }

  @Override
  public String toString() {
    return "WebhookForwardingHandler[" + receiver + "]";
  }

  /** The upstream did not take the event; the receiver releases it for the sender's retry. */
  static final class UpstreamRefusal extends Exception {
    private static final long serialVersionUID = 1L;

    UpstreamRefusal(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
