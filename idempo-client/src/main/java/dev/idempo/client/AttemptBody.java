package dev.idempo.client;

import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscribers;
import java.util.function.IntPredicate;

/**
 * The body of one attempt's response: either the caller's own {@code T}, or the raw bytes of an
 * answer that may be retried. Retryable answers are buffered so that an intermediate attempt never
 * reaches the caller's body handler (which may write a file or hold a stream) and a 409's body can
 * be read to tell "key in flight" from a real conflict; the final answer's bytes are then handed to
 * the caller's handler ({@link BufferedBody}).
 */
final class AttemptBody<T> {
  private final T delivered;
  private final byte[] buffered;

  private AttemptBody(T delivered, byte[] buffered) {
    this.delivered = delivered;
    this.buffered = buffered;
  }

  /**
   * A handler that buffers the responses whose status {@code mayRetry} accepts and gives the others
   * to {@code handler}.
   */
  static <T> BodyHandler<AttemptBody<T>> handler(BodyHandler<T> handler, IntPredicate mayRetry) {
    return info ->
        mayRetry.test(info.statusCode())
            ? BodySubscribers.mapping(
                BodySubscribers.ofByteArray(), bytes -> new AttemptBody<T>(null, bytes))
            : BodySubscribers.mapping(handler.apply(info), body -> new AttemptBody<T>(body, null));
  }

  boolean isBuffered() {
    return buffered != null;
  }

  byte[] buffered() {
    return buffered;
  }

  T delivered() {
    return delivered;
  }
}
