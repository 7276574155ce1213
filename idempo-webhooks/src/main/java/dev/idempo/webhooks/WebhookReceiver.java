package dev.idempo.webhooks;

import dev.idempo.Attempt;
import dev.idempo.FenceLostException;
import dev.idempo.Fingerprint;
import dev.idempo.Idempotency;
import dev.idempo.IdempotencyException;
import dev.idempo.IdempotencyKey;
import dev.idempo.IdempotencyPolicy;
import dev.idempo.KeyInFlightException;
import dev.idempo.ResultCodec;
import dev.idempo.Scope;
import dev.idempo.TakeoverPolicy;
import dev.idempo.http.CapturedResponse;
import dev.idempo.jdbc.JdbcIdempotency;
import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.jdbc.TransactionalResult;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.StoreLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Receives webhooks: verifies each delivery, claims its event id and runs its handler once, with no
 * server API (adapters, such as the gateway's {@code --webhook} mode or a servlet, pass the method,
 * path, headers and raw body in and write the {@link CapturedResponse} out).
 *
 * <pre>{@code
 * WebhookReceiver receiver =
 *     WebhookReceiver.builder(store)
 *         .endpoint("/hooks/stripe",
 *             StripeVerifier.builder(Secret.fromEnvironment("STRIPE_SECRET")).build(),
 *             event -> payments.record(event.id(), event.bodyAsString()))
 *         .build();
 * CapturedResponse answer = receiver.receive(WebhookRequest.of(method, path, headers, body));
 * }</pre>
 *
 * <h2>Answers</h2>
 *
 * <ul>
 *   <li>no endpoint at the path: 404; not POST: 405; body over {@link #maxBodyBytes()}: 413;
 *       signature missing, wrong, or timestamp outside the tolerance: 401; a header that cannot be
 *       parsed or a body without an event id: 400 ({@link RefusalReason}). Nothing is recorded: a
 *       refused delivery never blocks the real one.
 *   <li>first delivery of an event: the handler runs; 200 {@code {"received":true}}.
 *   <li>a duplicate of a processed event (a sender retry, a redelivery, an attacker replaying a
 *       captured delivery inside the tolerance): 200 with {@code Idempotent-Replayed: true}, the
 *       handler does not run, and the sender stops retrying.
 *   <li>a duplicate while the first is still running: <b>503 with {@code Retry-After}</b>. Every
 *       sender (Stripe, PayPal, Standard Webhooks senders) retries any non-2xx on its own backoff,
 *       and 503 is the status HTTP defines for "not now, try later"; a 409 would also be retried by
 *       them but reads as a permanent client error to generic senders and to dashboards.
 *   <li>the handler throws: 500, and the event is <b>released</b>, not stored, so the sender's next
 *       retry runs the handler again. This is the opposite of Idempo's API default, where a 500 is
 *       stored and replayed: a webhook sender's retry is the recovery path, and storing the failure
 *       would turn it into a lost event.
 *   <li>the store cannot answer: 503; nothing ran.
 * </ul>
 *
 * <h2>Deduplication</h2>
 *
 * The key is (provider, endpoint path, the verifier's source such as GitHub's hook id, event id),
 * hashed into a storage key; the body is not part of it, because senders may change bodies between
 * retries (Stripe's {@code pending_webhooks} count). Records are kept for {@link #DEFAULT_RETENTION
 * 7 days} by default. On any {@link IdempotencyStore} an endpoint runs in leased mode: claim, run,
 * complete; a receiver that dies mid-event leaves the claim until its lease runs out, then the
 * sender's next retry runs the handler again (at least once, never lost). With {@link
 * Builder#transactionalEndpoint} on a {@link JdbcIdempotencyStore} (PostgreSQL or SQLite) the event
 * id row and the handler's writes commit in one transaction: exactly once.
 *
 * <p>Immutable and thread-safe; {@link #receive} blocks for the handler and the store round trips.
 * Does not own the store.
 */
public final class WebhookReceiver {
  /**
   * The default retention of an event id: 7 days. Senders retry for up to 3 days (Stripe in live
   * mode, PayPal), Standard Webhooks senders such as Svix for about 28 hours, and GitHub lets a
   * delivery be redelivered for 3 days (7 on GitHub Enterprise Server); a record must outlive the
   * last retry or that retry runs the handler again. 7 days covers the longest window with days to
   * spare; raise it if operators resend events by hand later than that (Stripe lists events for 30
   * days).
   */
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

  /** The default lease of a running handler, renewed while it runs: 60 s. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);

  /** The default largest body: 1 MiB (Stripe's and GitHub's payloads are capped well below). */
  public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

  /** The largest body limit accepted: 32 MiB (bodies are held in memory). */
  public static final int MAX_BODY_LIMIT = 32 << 20;

  /** The default base of problem {@code type} URIs. */
  public static final String DEFAULT_PROBLEM_BASE = "urn:idempo:problem:";

  /** The header on answers to duplicates. */
  public static final String REPLAYED_HEADER = "Idempotent-Replayed";

  private static final System.Logger LOG = System.getLogger(WebhookReceiver.class.getName());

  /** Every delivery of an event is "the same request": the event id alone decides. */
  static final Fingerprint EVENT = Fingerprint.builder().add("webhook", "event").build();

  private static final String PROCESSED = "processed";
  private static final int MAX_PATH_LENGTH = 512;

  private final Map<String, Endpoint> endpoints;
  private final WebhookListener listener;
  private final InstantSource clock;
  private final int maxBodyBytes;
  private final String problemBase;
  private final Duration retention;

  private WebhookReceiver(Builder builder) {
    if (builder.endpoints.isEmpty()) {
      throw new IllegalStateException("add at least one endpoint before build()");
    }
    this.listener = builder.listener;
    this.clock = builder.clock;
    this.maxBodyBytes = builder.maxBodyBytes;
    this.problemBase = builder.problemBase;
    this.retention = builder.retention;
    IdempotencyPolicy<String> policy =
        IdempotencyPolicy.<String>builder()
            .lease(builder.lease)
            .retention(builder.retention)
            // A takeover means the earlier receiver died mid-event without answering 2xx: the
            // sender retries, so run the handler again rather than fail closed.
            .takeover(TakeoverPolicy.REEXECUTE)
            .releaseFailuresIf(failure -> true)
            .build();
    Idempotency<String> executor =
        Idempotency.builder(builder.store, ResultCodec.utf8())
            .policy(policy)
            .clock(builder.clock)
            .build();
    JdbcIdempotency transactional = null;
    Map<String, Endpoint> built = new LinkedHashMap<>();
    for (EndpointSpec spec : builder.endpoints) {
      if (spec.transactionalHandler != null && transactional == null) {
        if (!(builder.store instanceof JdbcIdempotencyStore jdbcIdempotencyStore)) {
          throw new IllegalStateException(
              "transactional endpoint "
                  + spec.path
                  + " needs a JdbcIdempotencyStore (PostgreSQL"
                  + " or SQLite), the receiver's store is "
                  + builder.store.getClass().getName());
        }
        transactional =
            JdbcIdempotency.builder(jdbcIdempotencyStore).retention(builder.retention).build();
      }
      built.put(spec.path, new Endpoint(spec, executor, transactional));
    }
    this.endpoints = Map.copyOf(built);
  }

  /**
   * A builder recording event ids in {@code store}.
   *
   * @throws NullPointerException if {@code store} is null
   */
  public static Builder builder(IdempotencyStore store) {
    return new Builder(Objects.requireNonNull(store, "store must not be null"));
  }

  /**
   * Verifies, deduplicates and handles one delivery; see the class comment for the answers. Never
   * throws for anything a sender can put in a request; an {@link Error} thrown by a handler is
   * rethrown after the event is released.
   *
   * @param request the delivery; its path is matched exactly (no query string)
   */
  public CapturedResponse receive(WebhookRequest request) {
    Objects.requireNonNull(request, "request must not be null");
    Endpoint endpoint = endpoints.get(request.path());
    if (endpoint == null) {
      // Not the request path: a metrics tag must not take any value a stranger sends.
      return refuse(
          "",
          "",
          RefusalReason.UNKNOWN_ENDPOINT,
          "No webhook endpoint is registered at this path.");
    }
    String provider = endpoint.verifier.provider();
    if (!request.method().equalsIgnoreCase("POST")) {
      return refuse(
              endpoint.path,
              provider,
              RefusalReason.METHOD_NOT_ALLOWED,
              "Webhooks are delivered with POST.")
          .withHeader("Allow", "POST");
    }
    if (request.bodyLength() > maxBodyBytes) {
      return refuse(
          endpoint.path,
          provider,
          RefusalReason.BODY_TOO_LARGE,
          "The body is longer than " + maxBodyBytes + " bytes.");
    }
    VerifiedDelivery delivery;
    try {
      delivery = endpoint.verifier.verify(request, clock.instant());
      Objects.requireNonNull(delivery, "the verifier answered null");
    } catch (WebhookVerificationException e) {
      return refuse(endpoint.path, provider, e.reason(), e.getMessage() + ".");
    } catch (RuntimeException e) {
      // A custom verifier's bug must not turn into a 5xx the sender retries forever.
      LOG.log(System.Logger.Level.WARNING, "verifier of " + endpoint.path + " failed", e);
      return refuse(
          endpoint.path,
          provider,
          RefusalReason.SIGNATURE_MALFORMED,
          "The delivery could not be verified.");
    }
    notify(l -> l.onVerified(endpoint.path, provider));
    WebhookEvent event = new WebhookEvent(endpoint.path, provider, delivery, request);
    Scope scope = Scope.of(delivery.source(), "webhook " + provider + " " + endpoint.path);
    IdempotencyKey key = IdempotencyKey.derive("webhook-event", delivery.eventId());
    return endpoint.transactionalHandler != null
        ? receiveTransactional(endpoint, event, scope, key)
        : receiveLeased(endpoint, event, scope, key);
  }

  private CapturedResponse receiveLeased(
      Endpoint endpoint, WebhookEvent event, Scope scope, IdempotencyKey key) {
    String provider = event.provider();
    Attempt<String> attempt;
    try {
      attempt = endpoint.executor.begin(scope, key, EVENT);
    } catch (KeyInFlightException e) {
      return inFlight(endpoint, provider, e.retryAfter());
    } catch (FenceLostException e) {
      return inFlight(endpoint, provider, Duration.ofSeconds(1));
    } catch (IdempotencyException e) {
      // StoreUnavailable, StoreCapacityExceeded, or a state this policy never stores: nothing ran.
      return storeFailure(endpoint, provider, e);
    }
    try (attempt) {
      if (attempt.isReplay()) {
        return duplicate(endpoint, provider);
      }
      try {
        endpoint.handler.handle(event);
      } catch (Exception failure) {
        attempt.fail(failure); // released: the policy releases every failure
        return handlerFailed(endpoint, event, failure);
      } catch (Error failure) {
        attempt.fail(failure);
        throw failure;
      }
      try {
        attempt.complete(PROCESSED);
      } catch (RuntimeException e) {
        // The handler ran; the sender must not retry it. Without the record a later replay of
        // this delivery would run again, once the lease has run out.
        LOG.log(
            System.Logger.Level.WARNING,
            "event "
                + event.id()
                + " at "
                + endpoint.path
                + " was handled but could not be recorded as processed: "
                + e);
      }
      notify(l -> l.onHandled(endpoint.path, provider));
      return ok(false);
    }
  }

  private CapturedResponse receiveTransactional(
      Endpoint endpoint, WebhookEvent event, Scope scope, IdempotencyKey key) {
    String provider = event.provider();
    TransactionalResult<String> result;
    try {
      result =
          endpoint.transactional.execute(
              endpoint.dataSource,
              scope,
              key,
              EVENT,
              ResultCodec.utf8(),
              connection -> {
                try {
                  endpoint.transactionalHandler.handle(event, connection);
                } catch (Exception e) {
                  throw new HandlerFailure(e);
                }
                return PROCESSED;
              });
    } catch (HandlerFailure failure) {
      return handlerFailed(endpoint, event, failure.getCause());
    } catch (KeyInFlightException e) {
      return inFlight(endpoint, provider, e.retryAfter());
    } catch (IdempotencyException e) {
      return storeFailure(endpoint, provider, e);
    }
    if (result.isReplayed()) {
      return duplicate(endpoint, provider);
    }
    notify(l -> l.onHandled(endpoint.path, provider));
    return ok(false);
  }

  private CapturedResponse duplicate(Endpoint endpoint, String provider) {
    notify(l -> l.onDuplicate(endpoint.path, provider, false));
    return ok(true);
  }

  private CapturedResponse inFlight(Endpoint endpoint, String provider, Duration retryAfter) {
    notify(l -> l.onDuplicate(endpoint.path, provider, true));
    long seconds = Math.max(1, retryAfter.toSeconds() + (retryAfter.toNanosPart() > 0 ? 1 : 0));
    return problem(
            503,
            "webhook-in-flight",
            "Webhook event still being processed",
            "This event is being processed by an earlier delivery; retry in " + seconds + " s.")
        .withHeader("Retry-After", Long.toString(seconds));
  }

  private CapturedResponse handlerFailed(Endpoint endpoint, WebhookEvent event, Throwable failure) {
    LOG.log(
        System.Logger.Level.WARNING,
        "handler of "
            + endpoint.path
            + " failed for event "
            + event.id()
            + "; released for the sender's retry",
        failure);
    notify(l -> l.onHandlerFailure(endpoint.path, event.provider(), failure));
    return problem(
        500,
        "webhook-handler-failed",
        "Webhook handler failed",
        "The event was not processed and will be processed when it is delivered again.");
  }

  private CapturedResponse storeFailure(
      Endpoint endpoint, String provider, RuntimeException failure) {
    LOG.log(
        System.Logger.Level.WARNING,
        "idempotency store failed at " + endpoint.path + ", answering 503: " + failure);
    notify(l -> l.onStoreFailure(endpoint.path, provider, failure));
    return problem(
            503,
            "store-unavailable",
            "Idempotency store unavailable",
            "The event was not processed; deliver it again later.")
        .withHeader("Retry-After", "5");
  }

  private CapturedResponse refuse(
      String endpoint, String provider, RefusalReason reason, String detail) {
    notify(l -> l.onRefused(endpoint, provider, reason));
    return problem(reason.status(), reason.slug(), reason.title(), detail);
  }

  private static CapturedResponse ok(boolean duplicate) {
    CapturedResponse.Builder response =
        CapturedResponse.builder(200)
            .header("Content-Type", "application/json")
            .header("Cache-Control", "no-store")
            .body(
                (duplicate ? "{\"received\":true,\"duplicate\":true}" : "{\"received\":true}")
                    .getBytes(StandardCharsets.US_ASCII));
    if (duplicate) {
      response.header(REPLAYED_HEADER, "true");
    }
    return response.build();
  }

  private CapturedResponse problem(int status, String slug, String title, String detail) {
    StringBuilder json = new StringBuilder(256);
    json.append("{\"type\":");
    appendJsonString(problemBase + slug, json);
    json.append(",\"title\":");
    appendJsonString(title, json);
    json.append(",\"status\":").append(status);
    json.append(",\"detail\":");
    appendJsonString(detail, json);
    json.append('}');
    return CapturedResponse.builder(status)
        .header("Content-Type", "application/problem+json")
        .header("Cache-Control", "no-store")
        .body(json.toString().getBytes(StandardCharsets.US_ASCII))
        .build();
  }

  /** A JSON string in pure ASCII: details may quote header names but never raw request bytes. */
  static void appendJsonString(String value, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7E) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }

  private void notify(java.util.function.Consumer<WebhookListener> call) {
    try {
      call.accept(listener);
    } catch (RuntimeException ignored) {
      // A listener must never change the answer.
    }
  }

  /** The registered endpoint paths. */
  public Set<String> paths() {
    return endpoints.keySet();
  }

  /** The longest body accepted; adapters should stop reading beyond it and answer 413. */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  /** How long an event id is remembered after its handler finished. */
  public Duration retention() {
    return retention;
  }

  @Override
  public String toString() {
    return "WebhookReceiver[endpoints=" + endpoints.keySet() + ", retention=" + retention + "]";
  }

  /** Carries a handler's exception out of the transactional work, apart from store failures. */
  private static final class HandlerFailure extends RuntimeException {
    HandlerFailure(Exception cause) {
      super(cause.toString(), cause, false, false);
    }
  }

  private record EndpointSpec(
      String path,
      WebhookVerifier verifier,
      WebhookHandler handler,
      DataSource dataSource,
      TransactionalWebhookHandler transactionalHandler) {}

  private static final class Endpoint {
    final String path;
    final WebhookVerifier verifier;
    final WebhookHandler handler;
    final DataSource dataSource;
    final TransactionalWebhookHandler transactionalHandler;
    final Idempotency<String> executor;
    final JdbcIdempotency transactional;

    Endpoint(EndpointSpec spec, Idempotency<String> executor, JdbcIdempotency transactional) {
      this.path = spec.path;
      this.verifier = spec.verifier;
      this.handler = spec.handler;
      this.dataSource = spec.dataSource;
      this.transactionalHandler = spec.transactionalHandler;
      this.executor = executor;
      this.transactional = transactional;
    }
  }

  /** Configures a {@link WebhookReceiver}; setters reject bad values at once. Not thread-safe. */
  public static final class Builder {
    private final IdempotencyStore store;
    private final List<EndpointSpec> endpoints = new ArrayList<>();
    private Duration retention = DEFAULT_RETENTION;
    private Duration lease = DEFAULT_LEASE;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private WebhookListener listener = WebhookListener.NONE;
    private InstantSource clock = InstantSource.system();
    private String problemBase = DEFAULT_PROBLEM_BASE;

    private Builder(IdempotencyStore store) {
      this.store = store;
    }

    /**
     * Receives deliveries at {@code path}, verified by {@code verifier}, in leased mode on the
     * receiver's store.
     *
     * @throws IllegalArgumentException if {@code path} is not an absolute path or is taken
     */
    public Builder endpoint(String path, WebhookVerifier verifier, WebhookHandler handler) {
      Objects.requireNonNull(handler, "handler must not be null");
      endpoints.add(
          new EndpointSpec(checkPath(path), checkVerifier(verifier), handler, null, null));
      return this;
    }

    /**
     * Receives deliveries at {@code path} in transactional mode: the event id row and the handler's
     * writes on a connection from {@code dataSource} commit in one transaction. The receiver's
     * store must be a {@link JdbcIdempotencyStore} on the same database ({@link #build()} checks).
     *
     * @throws IllegalArgumentException if {@code path} is not an absolute path or is taken
     */
    public Builder transactionalEndpoint(
        String path,
        WebhookVerifier verifier,
        DataSource dataSource,
        TransactionalWebhookHandler handler) {
      Objects.requireNonNull(dataSource, "dataSource must not be null");
      Objects.requireNonNull(handler, "handler must not be null");
      endpoints.add(
          new EndpointSpec(checkPath(path), checkVerifier(verifier), null, dataSource, handler));
      return this;
    }

    /** How long an event id is remembered: 1 ms to 400 days, {@link #DEFAULT_RETENTION} default. */
    public Builder retention(Duration retention) {
      this.retention = StoreLimits.checkRetention(retention);
      return this;
    }

    /** How long a running handler's claim is protected (renewed while it runs); 60 s default. */
    public Builder lease(Duration lease) {
      StoreLimits.checkLease(lease);
      this.lease = lease;
      return this;
    }

    /** The longest body accepted (413 beyond): 0 to 32 MiB, 1 MiB by default. */
    public Builder maxBodyBytes(int bytes) {
      if (bytes < 0 || bytes > MAX_BODY_LIMIT) {
        throw new IllegalArgumentException(
            "maxBodyBytes must be between 0 and " + MAX_BODY_LIMIT + ", was " + bytes);
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /** Observes verifications, refusals, duplicates and failures (metrics); none by default. */
    public Builder listener(WebhookListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener must not be null");
      return this;
    }

    /** The clock signed timestamps are checked against; the system clock by default. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /**
     * The base of problem {@code type} URIs, {@code urn:idempo:problem:} by default.
     *
     * @throws IllegalArgumentException if it is not printable ASCII with a scheme
     */
    public Builder problemBase(String base) {
      Objects.requireNonNull(base, "base must not be null");
      if (!base.matches("[A-Za-z][A-Za-z0-9+.-]*:[!#-;=?-~]*")) {
        throw new IllegalArgumentException(
            "problemBase must be the start of an absolute URI, was \"" + base + "\"");
      }
      this.problemBase = base;
      return this;
    }

    /**
     * Builds it.
     *
     * @throws IllegalStateException if no endpoint was added, or a transactional endpoint was added
     *     but the store is not a {@link JdbcIdempotencyStore}
     */
    public WebhookReceiver build() {
      return new WebhookReceiver(this);
    }

    private String checkPath(String path) {
      Objects.requireNonNull(path, "path must not be null");
      if (!path.startsWith("/")
          || path.length() > MAX_PATH_LENGTH
          || !path.matches("[!$&-;=@-~]+")
          || path.contains("?")) {
        throw new IllegalArgumentException(
            "path must be an absolute path of at most "
                + MAX_PATH_LENGTH
                + " printable ASCII"
                + " characters without a query, was \""
                + path
                + "\"");
      }
      for (EndpointSpec spec : endpoints) {
        if (spec.path.equals(path)) {
          throw new IllegalArgumentException("an endpoint at " + path + " is already registered");
        }
      }
      return path;
    }

    private static WebhookVerifier checkVerifier(WebhookVerifier verifier) {
      Objects.requireNonNull(verifier, "verifier must not be null");
      ProviderName.check(verifier.provider());
      return verifier;
    }
  }
}
