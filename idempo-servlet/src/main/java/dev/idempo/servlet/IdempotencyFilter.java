package dev.idempo.servlet;

import dev.idempo.IdempotencyListener;
import dev.idempo.Sleeper;
import dev.idempo.http.CapturedResponse;
import dev.idempo.http.Decision;
import dev.idempo.http.EncryptionKeys;
import dev.idempo.http.HttpAttempt;
import dev.idempo.http.HttpIdempotency;
import dev.idempo.http.IdempotencyRoute;
import dev.idempo.store.IdempotencyStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Idempotency-Key semantics for any Jakarta Servlet 6 container: a filter that applies an {@link
 * HttpIdempotency} (routes, keys, fingerprints, problems, storage) to the requests it sees.
 *
 * <pre>{@code
 * IdempotencyFilter filter =
 *     IdempotencyFilter.builder(store)
 *         .route(IdempotencyRoute.builder("/payments/**").name("payments").build())
 *         .problemBase("https://api.example.com/problems/")
 *         .build();
 * servletContext.addFilter("idempotency", filter).addMappingForUrlPatterns(null, false, "/*");
 * }</pre>
 *
 * <p>On a guarded request with a key the filter reads the body into memory (a declared {@code
 * Content-Length} over the limit is refused with 413 before reading, a longer body while counting),
 * claims the key, and runs the rest of the chain with the body served again from memory and the
 * response captured in memory: nothing reaches the client before the handler returns, flushes
 * included. It then stores the response (allow-listed headers only; 408, 425, 429 and 503 are
 * released instead) and sends it. Retries get the stored response with {@code Idempotent-Replayed:
 * true}; every refusal is an {@code application/problem+json} problem (see {@link
 * dev.idempo.http.ProblemType}). A store outage is a 503 problem and the handler does not run.
 *
 * <p>Each route's {@link dev.idempo.http.TenantSource} says whose key it is: a hash of {@code
 * Authorization} by default (a rotated token is a new tenant), or, say, {@code
 * TenantSource.parse("tls-subject")} for the client certificate the container verified, or a
 * verified JWT claim. A keyed request with no tenant gets 400 {@code tenant-required} and the
 * handler does not run, so callers who cannot be told apart never share stored responses.
 *
 * <p>Limits, none of them silent:
 *
 * <ul>
 *   <li>A response body longer than the capture limit ({@code maxResponseBodyBytes}) is streamed to
 *       the client from that point on, and a {@code response-too-large} problem is stored in its
 *       place: a retry gets that problem, never a second run.
 *   <li>Asynchronous servlets are not supported yet: if the handler starts async processing, the
 *       response goes through uncaptured, the outcome is recorded as unknown (retries get 502
 *       {@code outcome-unknown}), and an error naming the route is logged. Leave async routes
 *       unguarded.
 *   <li>A handler that throws records an unknown outcome (retries get 502), then the exception
 *       propagates to the container.
 *   <li>Multipart bodies cannot be parsed into parts again ({@code getParts()} throws, saying so);
 *       form parameters are parsed from the buffered body.
 *   <li>Order: install this filter after authentication (a 401 answered inside it would be stored
 *       like any answer) and before any filter that reads request parameters or the body.
 *   <li>A response sent with {@code sendError} is stored as its status and allow-listed headers
 *       with an empty body; the first caller gets the container's error page.
 * </ul>
 *
 * <p>Only {@code REQUEST} dispatches are guarded (not forwards, includes or error dispatches).
 * Immutable and thread-safe; it does not own the store.
 */
public final class IdempotencyFilter implements Filter {
  private static final System.Logger LOG = System.getLogger(IdempotencyFilter.class.getName());

  private final HttpIdempotency idempotency;

  private IdempotencyFilter(HttpIdempotency idempotency) {
    this.idempotency = idempotency;
  }

  /**
   * A builder for a filter over {@code store}.
   *
   * @throws NullPointerException if {@code store} is null
   */
  public static Builder builder(IdempotencyStore store) {
    return new Builder(HttpIdempotency.builder(store));
  }

  /** A filter applying an already built {@link HttpIdempotency}, for frameworks that build it. */
  public static IdempotencyFilter of(HttpIdempotency idempotency) {
    return new IdempotencyFilter(
        Objects.requireNonNull(idempotency, "idempotency must not be null"));
  }

  /** The configuration this filter applies. */
  public HttpIdempotency idempotency() {
    return idempotency;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request)
        || !(res instanceof HttpServletResponse response)
        || req.getDispatcherType() != DispatcherType.REQUEST) {
      chain.doFilter(req, res);
      return;
    }
    ServletIncomingRequest incoming = new ServletIncomingRequest(request);
    Decision decision = idempotency.begin(incoming);
    if (decision instanceof Decision.PassThrough) {
      chain.doFilter(request, response);
    } else if (decision instanceof Decision.Respond respond) {
      CapturedResponseWriter.write(respond.response(), response);
    } else {
      try (HttpAttempt attempt = ((Decision.Proceed) decision).attempt()) {
        run(request, response, chain, incoming.bufferedBody(), attempt);
      }
    }
  }

  private void run(
      HttpServletRequest request,
      HttpServletResponse response,
      FilterChain chain,
      byte[] body,
      HttpAttempt attempt)
      throws IOException, ServletException {
    CapturingResponse capture = new CapturingResponse(response, attempt.maxResponseBodyBytes());
    try {
      chain.doFilter(new BufferedBodyRequest(request, body), capture);
    } catch (IOException | ServletException | RuntimeException | Error failure) {
      recordOutcomeUnknown(attempt, failure);
      throw failure;
    }
    if (request.isAsyncStarted()) {
      LOG.log(
          System.Logger.Level.ERROR,
          "route "
              + attempt.route().name()
              + ": the handler of "
              + request.getMethod()
              + " "
              + request.getRequestURI()
              + " started asynchronous processing, which idempotent routes do not support yet."
              + " Its response is not captured and its outcome is recorded as unknown, so retries"
              + " get 502 outcome-unknown. Leave asynchronous routes unguarded.");
      capture.passThrough();
      recordOutcomeUnknown(attempt, null);
      return;
    }
    capture.flushHandlerWriter();
    if (capture.isStreaming()) {
      capture.finishStreaming();
      finish(attempt, () -> attempt.completeTooLargeToStore(capture.getStatus()));
      return;
    }
    CapturedResponse captured = capture.toCapturedResponse();
    finish(attempt, () -> attempt.complete(captured));
    capture.deliver();
  }

  /** Finishes the attempt; a store failure is logged, never sent instead of the response. */
  private static void finish(HttpAttempt attempt, Runnable finishing) {
    try {
      finishing.run();
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "route "
              + attempt.route().name()
              + ": the response was not stored ("
              + e
              + "); the key stays in progress until its lease ends, then retries get what the"
              + " route's takeover policy decides",
          e);
    }
  }

  private static void recordOutcomeUnknown(HttpAttempt attempt, Throwable failure) {
    try {
      attempt.recordOutcomeUnknown();
    } catch (RuntimeException e) {
      if (failure != null) {
        failure.addSuppressed(e);
      } else {
        LOG.log(
            System.Logger.Level.WARNING,
            "route " + attempt.route().name() + ": unknown outcome not recorded",
            e);
      }
    }
  }

  @Override
  public String toString() {
    return "IdempotencyFilter[" + idempotency + "]";
  }

  /**
   * Configures an {@link IdempotencyFilter}; each setter is {@link HttpIdempotency.Builder}'s and
   * rejects bad values at once. Not thread-safe.
   */
  public static final class Builder {
    private final HttpIdempotency.Builder idempotency;

    private Builder(HttpIdempotency.Builder idempotency) {
      this.idempotency = idempotency;
    }

    /** Adds a guarded route; see {@link HttpIdempotency.Builder#route}. */
    public Builder route(IdempotencyRoute route) {
      idempotency.route(route);
      return this;
    }

    /**
     * Sets the base of problem {@code type} URIs; see {@link HttpIdempotency.Builder#problemBase}.
     */
    public Builder problemBase(String base) {
      idempotency.problemBase(base);
      return this;
    }

    /**
     * Sets where problems are documented (a {@code Link} header); see {@link
     * HttpIdempotency.Builder#documentationBase}.
     */
    public Builder documentationBase(String base) {
      idempotency.documentationBase(base);
      return this;
    }

    /**
     * Sets the longest request body read and fingerprinted; see {@link
     * HttpIdempotency.Builder#maxRequestBodyBytes}.
     */
    public Builder maxRequestBodyBytes(int bytes) {
      idempotency.maxRequestBodyBytes(bytes);
      return this;
    }

    /**
     * Sets the longest response body stored for replay; see {@link
     * HttpIdempotency.Builder#maxResponseBodyBytes}.
     */
    public Builder maxResponseBodyBytes(int bytes) {
      idempotency.maxResponseBodyBytes(bytes);
      return this;
    }

    /**
     * Adds response headers to store for replay; see {@link HttpIdempotency.Builder#storedHeaders}.
     */
    public Builder storedHeaders(String... names) {
      idempotency.storedHeaders(names);
      return this;
    }

    /**
     * Encrypts stored responses under {@code keys}; see {@link HttpIdempotency.Builder#encryption}.
     */
    public Builder encryption(EncryptionKeys keys) {
      idempotency.encryption(keys);
      return this;
    }

    /**
     * Sets the listener that observes outcomes and store calls; see {@link
     * HttpIdempotency.Builder#listener}.
     */
    public Builder listener(IdempotencyListener listener) {
      idempotency.listener(listener);
      return this;
    }

    /**
     * Sets the clock for waiting on in-flight duplicates; see {@link
     * HttpIdempotency.Builder#clock}.
     */
    public Builder clock(InstantSource clock) {
      idempotency.clock(clock);
      return this;
    }

    /**
     * Sets how a request waiting for an in-flight duplicate pauses; see {@link
     * HttpIdempotency.Builder#sleeper}.
     */
    public Builder sleeper(Sleeper sleeper) {
      idempotency.sleeper(sleeper);
      return this;
    }

    /** Sets where lease renewals run; see {@link HttpIdempotency.Builder#renewalScheduler}. */
    public Builder renewalScheduler(ScheduledExecutorService renewals) {
      idempotency.renewalScheduler(renewals);
      return this;
    }

    /**
     * Builds the filter.
     *
     * @throws IllegalStateException if no route was added
     * @throws IllegalArgumentException if two routes share a name or a method and path pattern
     */
    public IdempotencyFilter build() {
      return new IdempotencyFilter(idempotency.build());
    }
  }
}
