package dev.idempo.spring.autoconfigure;

import dev.idempo.http.CapturedResponseCodec;
import dev.idempo.http.HttpIdempotency;
import dev.idempo.http.IdempotencyRoute;
import dev.idempo.servlet.IdempotencyFilter;
import java.util.Objects;
import org.springframework.web.method.HandlerMethod;

/** An {@code @Idempotent} handler method and how it is guarded. Immutable. */
sealed interface IdempotentHandler
    permits IdempotentHandler.Leased, IdempotentHandler.Transactional {
  HandlerMethod handler();

  IdempotencyRoute route();

  /** Guarded by {@link IdempotencyFilter}: claim, run with the response captured, complete. */
  record Leased(HandlerMethod handler, IdempotencyRoute route, IdempotencyFilter filter)
      implements IdempotentHandler {
    public Leased {
      Objects.requireNonNull(handler, "handler must not be null");
      Objects.requireNonNull(route, "route must not be null");
      Objects.requireNonNull(filter, "filter must not be null");
    }
  }

  /**
   * Guarded in the handler's transaction: the filter prepares a {@link TransactionalClaim}, the
   * {@link TransactionalIdempotencyInterceptor} runs it.
   *
   * @param http the route's settings: problems, limits, stored headers (its store is never used)
   * @param codec how stored results are encoded (encrypted when configured)
   */
  record Transactional(
      HandlerMethod handler,
      IdempotencyRoute route,
      HttpIdempotency http,
      CapturedResponseCodec codec)
      implements IdempotentHandler {
    public Transactional {
      Objects.requireNonNull(handler, "handler must not be null");
      Objects.requireNonNull(route, "route must not be null");
      Objects.requireNonNull(http, "http must not be null");
      Objects.requireNonNull(codec, "codec must not be null");
    }
  }

  /** A short, readable name of a handler for messages: {@code PaymentsController.charge(..)}. */
  static String describe(HandlerMethod handler) {
    return handler.getBeanType().getSimpleName() + "." + handler.getMethod().getName() + "(..)";
  }
}
