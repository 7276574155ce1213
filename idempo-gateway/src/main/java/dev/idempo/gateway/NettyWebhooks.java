package dev.idempo.gateway;

import dev.idempo.http.CapturedResponse;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.webhooks.WebhookEndpointSpec;
import dev.idempo.webhooks.WebhookEvent;
import dev.idempo.webhooks.WebhookReceiver;
import dev.idempo.webhooks.WebhookRequest;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook mode on the Netty engine: what {@link WebhookForwardingHandler} does on Jetty. The
 * receiver (signature check, event-id claim, the forward, the store) runs on the store pool, never
 * on an event loop; its forward sends the delivery from the caller connection's event loop and
 * waits for the upstream's status.
 *
 * <p>Thread-safe.
 */
final class NettyWebhooks {
  private static final Logger LOG = LoggerFactory.getLogger(NettyWebhooks.class);

  private final WebhookReceiver receiver;
  private final NettyUpstream upstream;
  private final Executor executor;
  private final long waitMillis;

  /** The delivery the receiver runs on this thread: the forward needs its headers and loop. */
  @SuppressWarnings("ThreadLocalUsage") // per receiver on purpose: its own delivery on this thread
  private final ThreadLocal<Delivery> receiving = new ThreadLocal<>();

  NettyWebhooks(
      GatewayConfig config,
      IdempotencyStore store,
      NettyUpstream upstream,
      GatewayMetrics metrics,
      Executor executor) {
    this.upstream = upstream;
    this.executor = executor;
    this.waitMillis = config.upstreamTimeout().toMillis() + 11_000;
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

  /** True when {@code path} is a webhook path (matched exactly). */
  boolean accepts(String path) {
    return receiver.paths().contains(path);
  }

  int maxBodyBytes() {
    return receiver.maxBodyBytes();
  }

  /**
   * Receives a delivery whose body was read (its first {@code maxBodyBytes + 1} bytes when longer)
   * on the store pool; {@code answer} runs on {@code loop} with the sender's answer.
   */
  void receive(
      NettyIncomingRequest incoming,
      String target,
      String remoteAddress,
      EventLoop loop,
      BiConsumer<CapturedResponse, RequestOutcome> answer) {
    executor.execute(
        () -> {
          CapturedResponse response;
          receiving.set(new Delivery(incoming.nettyRequest(), target, remoteAddress, loop));
          try {
            response =
                receiver.receive(
                    WebhookRequest.of(
                        incoming.method(),
                        incoming.path(),
                        headers(incoming.nettyRequest()),
                        incoming.bufferedBody()));
          } catch (RuntimeException e) {
            LOG.warn("receiving a webhook delivery failed: {}", StoreConnection.oneLine(e), e);
            response =
                CapturedResponse.builder(500)
                    .header("Content-Type", "text/plain")
                    .body(
                        "webhook delivery failed".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .build();
          } finally {
            receiving.remove();
          }
          CapturedResponse sent = response;
          loop.execute(() -> answer.accept(sent, WebhookForwardingHandler.outcomeOf(sent)));
        });
  }

  /**
   * Forwards one new event; returns normally only on an upstream 2xx.
   *
   * @throws WebhookForwardingHandler.UpstreamRefusal for any other answer, or if the upstream could
   *     not be reached or did not answer in time: the receiver releases the event
   */
  private void forward(WebhookEvent event) throws Exception {
    Delivery delivery = receiving.get();
    String key = event.provider() + ":" + event.id();
    byte[] body = event.body();
    for (int sends = 1; ; sends++) {
      CompletableFuture<Integer> status = new CompletableFuture<>();
      delivery.loop.execute(() -> send(delivery, key, body, status));
      int answered;
      try {
        answered = status.get(waitMillis, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        UpstreamExchange.UpstreamFailure failure = (UpstreamExchange.UpstreamFailure) e.getCause();
        if (sends == 1 && failure.isConnectionClosedBeforeSending()) {
          continue; // not a byte was written: it cannot have reached the upstream
        }
        throw new WebhookForwardingHandler.UpstreamRefusal(
            "the upstream did not answer " + event + " (" + failure.getMessage() + ")", failure);
      } catch (TimeoutException e) {
        throw new WebhookForwardingHandler.UpstreamRefusal(
            "the upstream did not answer " + event + " in time", e);
      }
      if (answered < 200 || answered > 299) {
        throw new WebhookForwardingHandler.UpstreamRefusal(
            "the upstream answered " + answered + " to " + event, null);
      }
      return;
    }
  }

  /** On the delivery's event loop: sends it upstream, completing {@code status}. */
  private void send(Delivery delivery, String key, byte[] body, CompletableFuture<Integer> status) {
    HttpRequest head =
        upstream.head(
            delivery.request,
            upstream.target(delivery.target),
            delivery.remoteAddress,
            body.length,
            false,
            key);
    NettyUpstream.Exchange[] exchange = new NettyUpstream.Exchange[1];
    exchange[0] =
        upstream.send(
            delivery.loop,
            head,
            body,
            new NettyUpstream.Receiver() {
              private int answered;

              @Override
              public void head(HttpResponse response) {
                answered = response.status().code();
                if (answered < 200) {
                  exchange[0].abort(); // 101: no final answer
                  status.complete(answered);
                }
              }

              @Override
              public void content(HttpContent content, boolean last) {
                content.release(); // read to the end, so the connection is reused
                if (last) {
                  status.complete(answered);
                }
              }

              @Override
              public void failed(UpstreamExchange.UpstreamFailure failure, boolean headReceived) {
                if (headReceived && answered >= 200 && answered < 300) {
                  // Its status came, so it acted; a body cut short does not undo that.
                  LOG.info(
                      "upstream broke off its {} answer to a webhook delivery: {}",
                      answered,
                      UpstreamExchange.UpstreamFailure.reason(failure.getCause()));
                  status.complete(answered);
                } else {
                  status.completeExceptionally(failure);
                }
              }
            });
  }

  private static Map<String, List<String>> headers(HttpRequest request) {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, String> field : request.headers()) {
      headers.computeIfAbsent(field.getKey(), name -> new ArrayList<>()).add(field.getValue());
    }
    return headers;
  }

  @Override
  public String toString() {
    return "NettyWebhooks[" + receiver + "]";
  }

  private record Delivery(
      HttpRequest request, String target, String remoteAddress, EventLoop loop) {}
}
