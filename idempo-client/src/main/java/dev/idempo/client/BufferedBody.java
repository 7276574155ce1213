package dev.idempo.client;

import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Hands bytes already received to the caller's body handler, as if they came off the wire. */
final class BufferedBody {
  private BufferedBody() {}

  /** Feeds {@code bytes} to the subscriber {@code handler} makes for {@code response}. */
  static <T> CompletionStage<T> deliver(
      BodyHandler<T> handler, HttpResponse<?> response, byte[] bytes) {
    BodySubscriber<T> subscriber =
        handler.apply(new Info(response.statusCode(), response.headers(), response.version()));
    new OneItemSubscription(subscriber, bytes).start();
    return subscriber.getBody();
  }

  private record Info(int statusCode, HttpHeaders headers, HttpClient.Version version)
      implements HttpResponse.ResponseInfo {}

  /** Publishes one list of buffers, then completes; honours demand and cancellation. */
  private static final class OneItemSubscription implements Flow.Subscription {
    private final BodySubscriber<?> subscriber;
    private final byte[] bytes;
    private final AtomicLong demand = new AtomicLong();
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile boolean subscribing;

    OneItemSubscription(BodySubscriber<?> subscriber, byte[] bytes) {
      this.subscriber = subscriber;
      this.bytes = bytes;
    }

    void start() {
      subscribing = true;
      subscriber.onSubscribe(this);
      subscribing = false;
      if (bytes.length == 0) {
        // Nothing to deliver: completion needs no demand.
        if (done.compareAndSet(false, true)) {
          subscriber.onComplete();
        }
      } else {
        drain();
      }
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        if (done.compareAndSet(false, true)) {
          subscriber.onError(new IllegalArgumentException("request(n) needs n > 0, was " + n));
        }
        return;
      }
      demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      if (!subscribing) {
        drain();
      }
    }

    @Override
    public void cancel() {
      done.set(true);
    }

    private void drain() {
      if (demand.get() > 0 && done.compareAndSet(false, true)) {
        subscriber.onNext(List.of(ByteBuffer.wrap(bytes).asReadOnlyBuffer()));
        subscriber.onComplete();
      }
    }
  }
}
