package dev.idempo.http;

import dev.idempo.Attempt;
import dev.idempo.FenceLostException;
import dev.idempo.Fingerprint;
import dev.idempo.FingerprintMismatchException;
import dev.idempo.Idempotency;
import dev.idempo.IdempotencyKey;
import dev.idempo.IdempotencyListener;
import dev.idempo.KeyInFlightException;
import dev.idempo.OutcomeUnknownException;
import dev.idempo.Scope;
import dev.idempo.Sleeper;
import dev.idempo.StoredFailureException;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.StoreCapacityExceededException;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.store.StoredRecordUnreadableException;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Idempotency-Key semantics for HTTP, with no server API: the flow every server adapter (the
 * servlet filter, the gateway) drives. For each request, {@link #begin} answers a {@link Decision}:
 *
 * <ol>
 *   <li>a safe method (GET, HEAD, OPTIONS, TRACE, CONNECT) or a request no route guards: {@link
 *       Decision.PassThrough}, without touching the store or reading the body;
 *   <li>an invalid {@code Idempotency-Key} header: 400 {@link ProblemType#KEY_INVALID}; a missing
 *       one: 400 {@link ProblemType#KEY_MISSING} if the route requires a key, else {@link
 *       Decision.PassThrough};
 *   <li>the route's {@link TenantSource} names the tenant; none (and the source does not share one
 *       key space): 400 {@link ProblemType#TENANT_REQUIRED};
 *   <li>the body is read (at most {@link #maxRequestBodyBytes()}, else 413 {@link
 *       ProblemType#BODY_TOO_LARGE}) and fingerprinted; the scope is the route's tenant plus the
 *       method and route name;
 *   <li>the key is claimed, atomically in the store: a replay of the stored response (with {@code
 *       Idempotent-Replayed: true}), 409 {@link ProblemType#KEY_IN_FLIGHT} with {@code Retry-After}
 *       (after waiting up to the route's {@code waitForInFlight}), 422 {@link
 *       ProblemType#KEY_MISMATCH}, 502 {@link ProblemType#OUTCOME_UNKNOWN}, 503 {@link
 *       ProblemType#STORE_UNAVAILABLE} (the handler never runs unprotected), or {@link
 *       Decision.Proceed} with an {@link HttpAttempt} the adapter finishes once the handler
 *       answered.
 * </ol>
 *
 * <p>First runs carry no {@code Idempotent-Replayed} header; replays carry {@code true}.
 *
 * <p>{@link #begin} blocks its thread for the store round trips and, on routes that wait for
 * in-flight duplicates, for up to that wait: call it where blocking is allowed (not on an event
 * loop).
 *
 * <p>Defaults: request bodies up to 1 MiB, stored response bodies up to 1 MiB, problem types under
 * {@code urn:idempo:problem:}, no documentation link, the default stored-header allow-list, no
 * encryption, the system clock. Immutable and thread-safe; does not own the store.
 */
public final class HttpIdempotency {
  /** The response header on replays. */
  public static final String REPLAYED_HEADER = "Idempotent-Replayed";

  /** The default limit on request bodies: 1 MiB. */
  public static final int DEFAULT_MAX_REQUEST_BODY_BYTES = 1 << 20;

  /** The default limit on stored response bodies: 1 MiB. */
  public static final int DEFAULT_MAX_RESPONSE_BODY_BYTES = 1 << 20;

  /** The highest body limit accepted: 256 MiB (bodies are held in memory). */
  public static final int MAX_BODY_LIMIT = 256 << 20;

  /** The default base of problem {@code type} URIs. */
  public static final String DEFAULT_PROBLEM_BASE = ProblemResponses.DEFAULT_BASE;

  private static final System.Logger LOG = System.getLogger(HttpIdempotency.class.getName());

  private final RouteTable routes;
  private final IdentityHashMap<IdempotencyRoute, Idempotency<CapturedResponse>> executors;
  private final ProblemResponses problems;
  private final StoredHeaders storedHeaders;
  private final int maxRequestBodyBytes;
  private final int maxResponseBodyBytes;
  private final boolean encrypted;

  private HttpIdempotency(Builder builder) {
    if (builder.routes.isEmpty()) {
      throw new IllegalStateException("add at least one IdempotencyRoute before build()");
    }
    this.routes = RouteTable.of(builder.routes);
    this.problems = new ProblemResponses(builder.problemBase, builder.documentationBase);
    this.storedHeaders = StoredHeaders.withExtras(builder.storedHeaders);
    this.maxRequestBodyBytes = builder.maxRequestBodyBytes;
    this.maxResponseBodyBytes = builder.maxResponseBodyBytes;
    this.encrypted = builder.encryption != null;
    CapturedResponseCodec codec =
        builder.encryption == null
            ? CapturedResponseCodec.plain()
            : CapturedResponseCodec.encrypted(builder.encryption);
    IdentityHashMap<IdempotencyRoute, Idempotency<CapturedResponse>> executors =
        new IdentityHashMap<>();
    for (IdempotencyRoute route : routes.routes()) {
      Idempotency.Builder<CapturedResponse> executor =
          Idempotency.builder(builder.store, codec)
              .policy(route.policy())
              .listener(builder.listener)
              .clock(builder.clock)
              .sleeper(builder.sleeper);
      executor.renewalScheduler(
          builder.renewals != null ? builder.renewals : QuietRenewalScheduler.shared());
      executors.put(route, executor.build());
    }
    this.executors = executors;
  }

  /**
   * A builder over {@code store}.
   *
   * @throws NullPointerException if {@code store} is null
   */
  public static Builder builder(IdempotencyStore store) {
    return new Builder(Objects.requireNonNull(store, "store must not be null"));
  }

  /**
   * Decides what to do with {@code request}; see the class comment for the order of checks. Reads
   * the body through {@link IncomingRequest#body(int)} only for a guarded request that carries a
   * valid key.
   *
   * @throws IOException if reading the body fails; nothing was claimed
   */
  public Decision begin(IncomingRequest request) throws IOException {
    Decision decision = prepare(request);
    if (decision instanceof Decision.Claim claim) {
      return claim(claim.route(), claim.scope(), claim.key(), claim.fingerprint());
    }
    return decision;
  }

  /**
   * Everything {@link #begin} does before its claim, for an adapter that claims the key itself (the
   * Spring starter's transactional mode claims it in the handler's database transaction): the same
   * {@link Decision.PassThrough} or problem {@link Decision.Respond} as {@code begin}, or, for a
   * guarded request with a valid key whose body was read and fingerprinted, a {@link
   * Decision.Claim} with its scope. Touches no store. When the adapter's claim fails, {@link
   * #problem(IdempotencyRoute, RuntimeException)} gives {@code begin}'s answer.
   *
   * @throws IOException if reading the body fails
   */
  public Decision prepare(IncomingRequest request) throws IOException {
    Objects.requireNonNull(request, "request must not be null");
    // Guarded, scoped and fingerprinted as the server may execute it: post is POST.
    String method = IdempotencyRoute.canonicalMethod(request.method());
    if (IdempotencyRoute.SAFE_METHODS.contains(method)) {
      return new Decision.PassThrough(Decision.Unguarded.NOT_GUARDED);
    }
    String path = request.path();
    Optional<IdempotencyRoute> match = routes.match(method, path);
    if (match.isEmpty()) {
      return new Decision.PassThrough(Decision.Unguarded.NOT_GUARDED);
    }
    IdempotencyRoute route = match.get();
    Optional<IdempotencyKey> key;
    try {
      key = IdempotencyKeyHeader.parse(request.headers(IdempotencyKeyHeader.NAME));
    } catch (InvalidIdempotencyKeyException e) {
      return problem(ProblemType.KEY_INVALID, e.getMessage() + ".", null);
    }
    if (key.isEmpty()) {
      if (!route.keyRequired()) {
        return new Decision.PassThrough(Decision.Unguarded.NO_KEY);
      }
      return problem(
          ProblemType.KEY_MISSING,
          "This endpoint requires an Idempotency-Key header: send a new unique key (a UUID) for"
              + " each operation and the same key when retrying it.",
          null);
    }
    // Before the body is read: a caller who cannot be told apart never touches the store. A hashed
    // credential is only looked for here and hashed once the body is read, so an adapter calling
    // prepare again when it has the body (the gateway) hashes it once.
    TenantSource tenants = route.tenantSource();
    HashedTenantSource hashed = tenants instanceof HashedTenantSource h ? h : null;
    String tenant = hashed == null ? tenant(route, request) : null;
    boolean present = hashed == null ? !tenant.isEmpty() : hashed.present(request);
    if (!present && !tenants.sharesOneKeySpace()) {
      return problem(ProblemType.TENANT_REQUIRED, TenantSource.missingTenantDetail(tenants), null);
    }
    byte[] body;
    try {
      body = request.body(maxRequestBodyBytes);
    } catch (RequestBodyTooLargeException e) {
      return problem(ProblemType.BODY_TOO_LARGE, "The " + e.getMessage() + ".", null);
    }
    if (body.length > maxRequestBodyBytes) {
      return problem(
          ProblemType.BODY_TOO_LARGE,
          "The "
              + new RequestBodyTooLargeException(maxRequestBodyBytes, body.length).getMessage()
              + ".",
          null);
    }
    if (tenant == null) {
      tenant = tenant(route, request);
    }
    Fingerprint fingerprint =
        route
            .fingerprinter()
            .fingerprint(
                method,
                request.targetPath(),
                request.query(),
                request.headers("Content-Type"),
                request.headers("Content-Encoding"),
                body);
    Scope scope = Scope.of(tenant, route.operation(method));
    return new Decision.Claim(route, scope, key.get(), fingerprint);
  }

  private static String tenant(IdempotencyRoute route, IncomingRequest request) {
    return Objects.requireNonNull(
        route.tenantSource().tenant(request),
        "the TenantSource of route " + route.name() + " answered null");
  }

  private Decision claim(
      IdempotencyRoute route, Scope scope, IdempotencyKey key, Fingerprint fingerprint) {
    Attempt<CapturedResponse> attempt;
    try {
      attempt = executors.get(route).begin(scope, key, fingerprint);
    } catch (RuntimeException e) {
      return problem(route, e);
    }
    if (attempt.isReplay()) {
      CapturedResponse stored = attempt.replayed().value();
      if (encrypted && !Arrays.equals(stored.binding(), scope.storageKey(key).toBytes())) {
        // Authentic ciphertext, but of another record (or of none): never another key's answer.
        LOG.log(
            System.Logger.Level.ERROR,
            "stored response for route "
                + route.name()
                + " is bound to another record, or to none; answering 500");
        return problem(
            ProblemType.STORED_RESPONSE_UNREADABLE,
            "The stored response for this Idempotency-Key cannot be read back; the request is"
                + " not run again.",
            null);
      }
      CapturedResponse replay = stored.withHeader(REPLAYED_HEADER, "true");
      return new Decision.Respond(replay, Optional.empty());
    }
    return new Decision.Proceed(
        new HttpAttempt(
            attempt, route, scope, key, storedHeaders, problems, maxResponseBodyBytes, encrypted));
  }

  /**
   * The problem {@link #begin} answers when claiming a key of {@code route} fails with {@code
   * failure}: 409 with {@code Retry-After} for a key in flight, 422 for a mismatch, 502 for an
   * unknown outcome, 503 when the store is unavailable, 500 {@code stored-response-unreadable} when
   * the stored response is unreadable, and 500 {@code internal-error} (logged) for any other
   * failure, which is a bug rather than an answer of the store; for adapters that claim keys
   * themselves (see {@link #prepare}).
   */
  public Decision.Respond problem(IdempotencyRoute route, RuntimeException failure) {
    Objects.requireNonNull(route, "route must not be null");
    Objects.requireNonNull(failure, "failure must not be null");
    // Rethrown to pick the answer with the catch clauses below; anything else propagates.
    try {
      throw failure;
    } catch (KeyInFlightException e) {
      long seconds = ProblemResponses.retryAfterSeconds(e.retryAfter());
      return problem(
          ProblemType.KEY_IN_FLIGHT,
          "A request with this Idempotency-Key is still in progress; retry in " + seconds + " s.",
          e.retryAfter());
    } catch (FenceLostException e) {
      // Another request took the key over between our claim and our bookkeeping: it runs now.
      return problem(
          ProblemType.KEY_IN_FLIGHT,
          "A request with this Idempotency-Key is still in progress; retry in 1 s.",
          Duration.ofSeconds(1));
    } catch (FingerprintMismatchException e) {
      return problem(
          ProblemType.KEY_MISMATCH,
          "This Idempotency-Key was already used with a different request (method, path, query,"
              + " content type or body). Use a new key for a new request.",
          null);
    } catch (OutcomeUnknownException | StoredFailureException e) {
      return problem(
          ProblemType.OUTCOME_UNKNOWN,
          "An earlier request with this Idempotency-Key stopped before its outcome was recorded;"
              + " whether it took effect is unknown, so it is not run again. Check the resource's"
              + " state before sending the operation with a new key.",
          null);
    } catch (StoreUnavailableException | StoreCapacityExceededException e) {
      // One line per refused request during an outage; the stack trace only when debugging.
      LOG.log(
          System.Logger.Level.WARNING,
          "idempotency store unavailable for route "
              + route.name()
              + ", answering 503: "
              + e.getMessage()
              + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
      LOG.log(System.Logger.Level.DEBUG, "idempotency store failure", e);
      return problem(
          ProblemType.STORE_UNAVAILABLE,
          "The idempotency store could not be reached, so the request was not run. Retry later"
              + " with the same Idempotency-Key.",
          null);
    } catch (StoredRecordUnreadableException e) {
      LOG.log(
          System.Logger.Level.ERROR,
          "stored response for route "
              + route.name()
              + " cannot be read; answering 500 and not running the request again",
          e);
      return problem(
          ProblemType.STORED_RESPONSE_UNREADABLE,
          "The stored response for this Idempotency-Key cannot be read back; the request is not run"
              + " again.",
          null);
    } catch (RuntimeException e) {
      // Not a corrupt record: a bug, or a store answering outside its contract. Nothing ran.
      LOG.log(
          System.Logger.Level.ERROR,
          "internal error while claiming an idempotency key for route "
              + route.name()
              + "; answering 500 internal-error, the request was not run",
          e);
      return problem(
          ProblemType.INTERNAL_ERROR,
          "The server failed while checking this Idempotency-Key, so the request was not run."
              + " Retry later with the same Idempotency-Key.",
          null);
    }
  }

  private Decision.Respond problem(ProblemType type, String detail, Duration retryAfter) {
    return new Decision.Respond(problems.render(type, detail, retryAfter), Optional.of(type));
  }

  /**
   * A problem response as {@link #begin} renders it, for adapters that refuse a request on their
   * own (say, a servlet feature they do not support).
   */
  public CapturedResponse problem(ProblemType type, String detail) {
    return problems.render(type, detail);
  }

  /** The guarded routes. */
  public RouteTable routes() {
    return routes;
  }

  /** The longest request body read and fingerprinted; longer ones get 413. */
  public int maxRequestBodyBytes() {
    return maxRequestBodyBytes;
  }

  /** The longest response body stored for replay. */
  public int maxResponseBodyBytes() {
    return maxResponseBodyBytes;
  }

  /** The base of problem {@code type} URIs. */
  public String problemBase() {
    return problems.base();
  }

  /** The base of problem documentation links, if configured. */
  public Optional<String> documentationBase() {
    return Optional.ofNullable(problems.documentationBase());
  }

  /** The response headers stored for replay, sorted case-insensitively. */
  public Set<String> storedHeaders() {
    return storedHeaders.names();
  }

  /** True when stored responses are encrypted. */
  public boolean encryptsStoredResponses() {
    return encrypted;
  }

  @Override
  public String toString() {
    return "HttpIdempotency[routes="
        + routes.routes().size()
        + ", maxRequestBodyBytes="
        + maxRequestBodyBytes
        + ", maxResponseBodyBytes="
        + maxResponseBodyBytes
        + ", problemBase="
        + problems.base()
        + ", encrypted="
        + encrypted
        + "]";
  }

  /**
   * Configures an {@link HttpIdempotency}; each setter rejects bad values at once. Not thread-safe.
   */
  public static final class Builder {
    private final IdempotencyStore store;
    private final List<IdempotencyRoute> routes = new ArrayList<>();
    private String problemBase = DEFAULT_PROBLEM_BASE;
    private String documentationBase;
    private int maxRequestBodyBytes = DEFAULT_MAX_REQUEST_BODY_BYTES;
    private int maxResponseBodyBytes = DEFAULT_MAX_RESPONSE_BODY_BYTES;
    private final List<String> storedHeaders = new ArrayList<>();
    private EncryptionKeys encryption;
    private IdempotencyListener listener = IdempotencyListener.NONE;
    private InstantSource clock = InstantSource.system();
    private Sleeper sleeper = Sleeper.SYSTEM;
    private ScheduledExecutorService renewals;

    private Builder(IdempotencyStore store) {
      this.store = store;
    }

    /**
     * Adds a guarded route; {@link #build()} checks the routes together ({@link RouteTable#of}).
     */
    public Builder route(IdempotencyRoute route) {
      routes.add(Objects.requireNonNull(route, "route must not be null"));
      return this;
    }

    /**
     * The base of problem {@code type} URIs: {@code urn:idempo:problem:} by default; set it to your
     * API documentation, e.g. {@code https://api.example.com/problems/}.
     *
     * @throws IllegalArgumentException if {@code base + "key-mismatch"} is not an absolute URI
     */
    public Builder problemBase(String base) {
      new ProblemResponses(base, null); // validates now, naming the argument
      this.problemBase = base;
      return this;
    }

    /**
     * Where problems are documented: every problem then carries {@code Link: <base + slug>;
     * rel="describedby"}, e.g. {@code <https://docs.example.com/problems/key-mismatch>}. None by
     * default (no Link header).
     *
     * @throws IllegalArgumentException if {@code base} is not the start of an http(s) URL
     */
    public Builder documentationBase(String base) {
      new ProblemResponses(
          DEFAULT_PROBLEM_BASE, Objects.requireNonNull(base, "base must not be null")); // validates
      this.documentationBase = base;
      return this;
    }

    /**
     * The longest request body read and fingerprinted (413 beyond): 0 to 256 MiB, 1 MiB by default.
     */
    public Builder maxRequestBodyBytes(int bytes) {
      this.maxRequestBodyBytes = checkLimit(bytes, "maxRequestBodyBytes");
      return this;
    }

    /**
     * The longest response body stored for replay: 0 to 256 MiB, 1 MiB by default. A longer
     * response is delivered to the first caller, and a {@link ProblemType#RESPONSE_TOO_LARGE}
     * problem is stored in its place.
     */
    public Builder maxResponseBodyBytes(int bytes) {
      this.maxResponseBodyBytes = checkLimit(bytes, "maxResponseBodyBytes");
      return this;
    }

    /**
     * Adds response headers to store for replay, besides Content-Type, Content-Location, Location,
     * ETag, Last-Modified, Link, Cache-Control and Content-Encoding.
     *
     * @throws IllegalArgumentException naming the header if one is not an HTTP token or is never
     *     stored: Set-Cookie, Authorization, Proxy-Authorization, any name containing "token" or
     *     "secret", and the framing headers the adapter writes (Content-Length, ...)
     */
    public Builder storedHeaders(String... names) {
      Objects.requireNonNull(names, "names must not be null");
      List<String> added = List.of(names);
      StoredHeaders.withExtras(added);
      storedHeaders.addAll(added);
      return this;
    }

    /** Encrypts stored responses with AES-256-GCM under {@code keys}; none by default. */
    public Builder encryption(EncryptionKeys keys) {
      this.encryption = Objects.requireNonNull(keys, "keys must not be null");
      return this;
    }

    /** Observes outcomes and store calls (metrics); none by default. */
    public Builder listener(IdempotencyListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener must not be null");
      return this;
    }

    /** The clock for waiting on in-flight duplicates; leases follow the store's own clock. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /** How a request waiting for an in-flight duplicate pauses between claims. */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper must not be null");
      return this;
    }

    /**
     * Where lease renewals run; by default one shared daemon thread that scheduling a renewal does
     * not wake (so requests do not pay for a thread wake-up each). Not shut down by Idempo.
     */
    public Builder renewalScheduler(ScheduledExecutorService renewals) {
      this.renewals = Objects.requireNonNull(renewals, "renewals must not be null");
      return this;
    }

    /**
     * Builds it; the configuration is copied, so later changes to this builder do not affect it.
     *
     * @throws IllegalStateException if no route was added
     * @throws IllegalArgumentException if two routes share a name or a method and path pattern
     */
    public HttpIdempotency build() {
      return new HttpIdempotency(this);
    }

    private static int checkLimit(int bytes, String name) {
      if (bytes < 0 || bytes > MAX_BODY_LIMIT) {
        throw new IllegalArgumentException(
            name + " must be between 0 and " + MAX_BODY_LIMIT + " bytes, was " + bytes);
      }
      return bytes;
    }
  }
}
