package dev.idempo.http;

import dev.idempo.Fingerprint;
import dev.idempo.IdempotencyKey;
import dev.idempo.Scope;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link HttpIdempotency#begin} decided for a request; an adapter handles exactly one of:
 *
 * <ul>
 *   <li>{@link PassThrough}: run the handler (forward upstream) as if Idempo were not there;
 *   <li>{@link Respond}: do not run the handler; send {@link Respond#response()} (a replay or a
 *       problem);
 *   <li>{@link Proceed}: run the handler, capture its response, then finish {@link
 *       Proceed#attempt()}; see {@link HttpAttempt};
 *   <li>{@link Claim}, from {@link HttpIdempotency#prepare} only: claim the key yourself.
 * </ul>
 */
public sealed interface Decision
    permits Decision.PassThrough, Decision.Respond, Decision.Proceed, Decision.Claim {

  /** Why a request passes through unguarded. */
  enum Unguarded {
    /** No route guards this method on this path (or the method is safe: GET, HEAD, ...). */
    NOT_GUARDED,
    /** The route guards it, but its key is optional and the request carries none. */
    NO_KEY
  }

  /** Run the handler unguarded: the store was not touched and nothing is recorded. */
  record PassThrough(Unguarded reason) implements Decision {
    public PassThrough {
      Objects.requireNonNull(reason, "reason must not be null");
    }
  }

  /**
   * Send {@code response} and do not run the handler.
   *
   * @param response a replay of the stored response (with {@code Idempotent-Replayed: true}) or a
   *     problem
   * @param problem the problem, when the response is one decided now; empty for a replay
   */
  record Respond(CapturedResponse response, Optional<ProblemType> problem) implements Decision {
    public Respond {
      Objects.requireNonNull(response, "response must not be null");
      Objects.requireNonNull(problem, "problem must not be null");
    }

    /**
     * True when the response replays a stored one (it carries {@code Idempotent-Replayed: true}).
     */
    public boolean isReplay() {
      return problem.isEmpty();
    }
  }

  /** Run the handler under {@code attempt}, which holds the key until it is finished. */
  record Proceed(HttpAttempt attempt) implements Decision {
    public Proceed {
      Objects.requireNonNull(attempt, "attempt must not be null");
    }
  }

  /**
   * Claim {@code key} in {@code scope} yourself, then run the handler: answered only by {@link
   * HttpIdempotency#prepare}, never by {@link HttpIdempotency#begin}, which claims it.
   *
   * @param route the route that guards the request
   * @param scope the key's scope: the route's tenant plus the method and route name
   * @param fingerprint the request's fingerprint, its body already read
   */
  record Claim(IdempotencyRoute route, Scope scope, IdempotencyKey key, Fingerprint fingerprint)
      implements Decision {
    public Claim {
      Objects.requireNonNull(route, "route must not be null");
      Objects.requireNonNull(scope, "scope must not be null");
      Objects.requireNonNull(key, "key must not be null");
      Objects.requireNonNull(fingerprint, "fingerprint must not be null");
    }
  }
}
