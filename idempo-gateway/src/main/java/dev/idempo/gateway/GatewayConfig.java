package dev.idempo.gateway;

import dev.idempo.IdempotencyPolicy;
import dev.idempo.TakeoverPolicy;
import dev.idempo.http.HttpIdempotency;
import dev.idempo.http.IdempotencyRoute;
import dev.idempo.http.TenantSource;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.webhooks.WebhookEndpointSpec;
import dev.idempo.webhooks.WebhookReceiver;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a {@link Gateway} needs: where it listens, the one upstream it forwards to, the store
 * and the Idempotency-Key policy. Built by {@link #builder(URI)}; immutable and thread-safe.
 *
 * <p>Defaults: listen on 127.0.0.1 and an ephemeral port; store {@link StoreLocation#DEFAULT}
 * ({@code sqlite:./idempo-data/idempo.db}); POST and PATCH guarded, the key optional (requests
 * without one pass through unguarded); lease 30 s, retention 24 h, no waiting for an in-flight
 * duplicate (409 at once); the tenant is a hash of the {@code Authorization} header (a keyed
 * request without one is refused with 400 {@code tenant-required}: see {@link
 * Builder#tenant(String)}); request bodies up to 10 MiB (413 beyond), responses stored up to 1 MiB;
 * upstream timeout 30 s; {@link OnUnknownOutcome#FAIL}; no admin listener; 10 s to drain in-flight
 * requests on stop; 200 request threads; no webhook endpoints, webhook event ids kept 7 days; the
 * {@link Engine#JETTY} engine.
 */
public final class GatewayConfig {
  /** The default limit on request bodies read and fingerprinted: 10 MiB. */
  public static final int DEFAULT_MAX_REQUEST_BODY_BYTES = 10 << 20;

  /** The default limit on response bodies stored for replay: 1 MiB. */
  public static final int DEFAULT_MAX_RESPONSE_BODY_BYTES = 1 << 20;

  /** The default upstream timeout: 30 s. */
  public static final Duration DEFAULT_UPSTREAM_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The default for {@link #upstreamIdleTimeout()}: 500 ms, below the shortest common upstream
   * keep-alive (gunicorn's 2 s; Node's, Apache's and uvicorn's 5 s) by more than a LAN round trip.
   */
  public static final Duration DEFAULT_UPSTREAM_IDLE_TIMEOUT = Duration.ofMillis(500);

  /** The default time in-flight requests get to finish on stop: 10 s. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

  /** The default engine: {@link Engine#NETTY}. */
  public static final Engine DEFAULT_ENGINE = Engine.NETTY;

  /** The default number of request threads: 200. */
  public static final int DEFAULT_MAX_THREADS = 200;

  private final String listenHost;
  private final int listenPort;
  private final URI upstream;
  private final StoreLocation storeLocation; // null when a store instance is given
  private final IdempotencyStore store; // null when a location is given
  private final boolean keyRequired;
  private final Set<String> methods;
  private final Duration lease;
  private final Duration retention;
  private final Duration waitForInFlight;
  private final Duration upstreamTimeout;
  private final TenantSource tenant;
  private final Duration upstreamIdleTimeout;
  private final int maxRequestBodyBytes;
  private final int maxResponseBodyBytes;
  private final OnUnknownOutcome onUnknownOutcome;
  private final String adminHost; // null: no admin listener
  private final int adminPort;
  private final Duration drainTimeout;
  private final int maxThreads;
  private final IdempotencyRoute route;
  private final List<WebhookEndpointSpec> webhooks;
  private final Duration webhookRetention;
  private final Engine engine;

  private GatewayConfig(Builder builder) {
    this.listenHost = builder.listenHost;
    this.listenPort = builder.listenPort;
    this.upstream = builder.upstream;
    this.storeLocation = builder.store == null ? builder.storeLocation : null;
    this.store = builder.store;
    this.keyRequired = builder.keyRequired;
    this.methods = Set.copyOf(builder.methods);
    this.lease = builder.lease;
    this.retention = builder.retention;
    this.waitForInFlight = builder.waitForInFlight;
    this.upstreamTimeout = builder.upstreamTimeout;
    this.tenant = builder.tenant;
    this.upstreamIdleTimeout = builder.upstreamIdleTimeout;
    this.maxRequestBodyBytes = builder.maxRequestBodyBytes;
    this.maxResponseBodyBytes = builder.maxResponseBodyBytes;
    this.onUnknownOutcome = builder.onUnknownOutcome;
    this.adminHost = builder.adminHost;
    this.adminPort = builder.adminPort;
    this.drainTimeout = builder.drainTimeout;
    this.maxThreads = builder.maxThreads;
    this.webhooks = List.copyOf(builder.webhooks);
    this.webhookRetention = builder.webhookRetention;
    this.engine = builder.engine;
    if (adminHost != null
        && adminPort != 0
        && adminPort == listenPort
        && adminHost.equals(listenHost)) {
      throw new IllegalArgumentException(
          "admin address must differ from the listen address, both were "
              + listenHost
              + ":"
              + listenPort);
    }
    this.route =
        IdempotencyRoute.builder("/**")
            .methods(methods.toArray(String[]::new))
            .keyRequired(keyRequired)
            .lease(lease)
            .retention(retention)
            .waitForInFlight(waitForInFlight)
            .takeover(
                onUnknownOutcome == OnUnknownOutcome.REEXECUTE
                    ? TakeoverPolicy.REEXECUTE
                    : TakeoverPolicy.FAIL_CLOSED)
            .tenantSource(tenant)
            .build();
  }

  /**
   * A builder for a gateway in front of {@code upstream}.
   *
   * @param upstream an {@code http} or {@code https} URL with a host, and optionally a path prefix
   *     every request path is appended to; no query, fragment or user info
   * @throws IllegalArgumentException naming the URL if it breaks these rules
   */
  public static Builder builder(URI upstream) {
    return new Builder(checkUpstream(upstream));
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder builder = new Builder(upstream);
    builder.listenHost = listenHost;
    builder.listenPort = listenPort;
    builder.storeLocation = storeLocation == null ? StoreLocation.DEFAULT : storeLocation;
    builder.store = store;
    builder.keyRequired = keyRequired;
    builder.methods = new LinkedHashSet<>(methods);
    builder.lease = lease;
    builder.retention = retention;
    builder.waitForInFlight = waitForInFlight;
    builder.upstreamTimeout = upstreamTimeout;
    builder.tenant = tenant;
    builder.upstreamIdleTimeout = upstreamIdleTimeout;
    builder.maxRequestBodyBytes = maxRequestBodyBytes;
    builder.maxResponseBodyBytes = maxResponseBodyBytes;
    builder.onUnknownOutcome = onUnknownOutcome;
    builder.adminHost = adminHost;
    builder.adminPort = adminPort;
    builder.drainTimeout = drainTimeout;
    builder.maxThreads = maxThreads;
    builder.webhooks.addAll(webhooks);
    builder.webhookRetention = webhookRetention;
    builder.engine = engine;
    return builder;
  }

  public String listenHost() {
    return listenHost;
  }

  /** The port to listen on; 0 for an ephemeral one ({@link Gateway#port()} tells which). */
  public int listenPort() {
    return listenPort;
  }

  public URI upstream() {
    return upstream;
  }

  /** Where the gateway opens its store, or empty when it was given a store instance. */
  public Optional<StoreLocation> storeLocation() {
    return Optional.ofNullable(storeLocation);
  }

  /** The store instance the gateway uses and does not close, if one was given. */
  public Optional<IdempotencyStore> store() {
    return Optional.ofNullable(store);
  }

  /** True when a guarded request without a key is refused (400); false when it passes through. */
  public boolean keyRequired() {
    return keyRequired;
  }

  /** The guarded methods, upper case; every other method passes through untouched. */
  public Set<String> methods() {
    return methods;
  }

  public Duration lease() {
    return lease;
  }

  public Duration retention() {
    return retention;
  }

  public Duration waitForInFlight() {
    return waitForInFlight;
  }

  /**
   * How long the upstream may stay silent: to answer after the request was sent, and between two
   * reads of its response.
   */
  public Duration upstreamTimeout() {
    return upstreamTimeout;
  }

  /**
   * Where the tenant part of every key's scope comes from, e.g. {@code authorization} (the
   * default), {@code header:X-User-Id} or {@code none}.
   */
  public TenantSource tenant() {
    return tenant;
  }

  /**
   * How long a pooled upstream connection may stay idle before the gateway closes it; keep it below
   * the upstream's keep-alive timeout, so the gateway never sends on a connection the upstream is
   * closing (a request sent then would have an unknown outcome).
   */
  public Duration upstreamIdleTimeout() {
    return upstreamIdleTimeout;
  }

  /** The header naming the tenant when the tenant source is {@code header:NAME}, else empty. */
  public Optional<String> tenantHeader() {
    String spec = tenant.toString();
    return spec.startsWith("header:")
        ? Optional.of(spec.substring("header:".length()))
        : Optional.empty();
  }

  public int maxRequestBodyBytes() {
    return maxRequestBodyBytes;
  }

  public int maxResponseBodyBytes() {
    return maxResponseBodyBytes;
  }

  public OnUnknownOutcome onUnknownOutcome() {
    return onUnknownOutcome;
  }

  /** The admin listener's host ({@code /health}, {@code /metrics}), if any. */
  public Optional<String> adminHost() {
    return Optional.ofNullable(adminHost);
  }

  /** The admin listener's port (0: ephemeral); meaningful only with {@link #adminHost()}. */
  public int adminPort() {
    return adminPort;
  }

  /** How long {@link Gateway#stop()} waits for in-flight requests before closing them. */
  public Duration drainTimeout() {
    return drainTimeout;
  }

  public int maxThreads() {
    return maxThreads;
  }

  /**
   * The webhook endpoints, in the order added: deliveries to these paths are verified, deduplicated
   * by event id and forwarded once, instead of guarded by Idempotency-Key.
   */
  public List<WebhookEndpointSpec> webhooks() {
    return webhooks;
  }

  /** How long a webhook event id is remembered after it was forwarded. */
  public Duration webhookRetention() {
    return webhookRetention;
  }

  /** The HTTP implementation the gateway runs on; {@link #DEFAULT_ENGINE} unless set. */
  public Engine engine() {
    return engine;
  }

  /** The one route guarding every path, as {@link HttpIdempotency} runs it. */
  IdempotencyRoute route() {
    return route;
  }

  /** The store's description for logs: its location (password hidden), or the instance's class. */
  String storeDescription() {
    return store != null ? store.getClass().getSimpleName() : storeLocation.toString();
  }

  @Override
  public String toString() {
    return "GatewayConfig[listen="
        + listenHost
        + ":"
        + listenPort
        + ", upstream="
        + upstream
        + ", store="
        + storeDescription()
        + ", methods="
        + methods
        + ", keyRequired="
        + keyRequired
        + ", lease="
        + lease
        + ", retention="
        + retention
        + ", waitForInFlight="
        + waitForInFlight
        + ", upstreamTimeout="
        + upstreamTimeout
        + ", tenant="
        + tenant
        + ", upstreamIdleTimeout="
        + upstreamIdleTimeout
        + ", maxRequestBodyBytes="
        + maxRequestBodyBytes
        + ", maxResponseBodyBytes="
        + maxResponseBodyBytes
        + ", onUnknownOutcome="
        + onUnknownOutcome
        + ", admin="
        + (adminHost == null ? "none" : adminHost + ":" + adminPort)
        + (webhooks.isEmpty() ? "" : ", webhooks=" + webhookPaths())
        + ", engine="
        + engine
        + "]";
  }

  /** The webhook paths only: a spec's text may name where a secret lives. */
  List<String> webhookPaths() {
    List<String> paths = new ArrayList<>();
    webhooks.forEach(spec -> paths.add(spec.path()));
    return paths;
  }

  private static URI checkUpstream(URI upstream) {
    Objects.requireNonNull(upstream, "upstream must not be null");
    String scheme =
        upstream.getScheme() == null ? "" : upstream.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "upstream must be an http:// or https:// URL, was " + upstream);
    }
    if (upstream.getHost() == null) {
      throw new IllegalArgumentException("upstream must name a host, was " + upstream);
    }
    if (upstream.getRawQuery() != null
        || upstream.getRawFragment() != null
        || upstream.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "upstream must not carry a query, fragment or user info, was " + upstream);
    }
    return upstream;
  }

  private static int checkPort(int port, String name) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(name + " must be between 0 and 65535, was " + port);
    }
    return port;
  }

  private static String checkHost(String host, String name) {
    Objects.requireNonNull(host, () -> name + " must not be null");
    if (host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == '/' || c == '@')) {
      throw new IllegalArgumentException(
          name + " must be a host name or IP address, was \"" + host + "\"");
    }
    return host;
  }

  private static Duration checkPositive(Duration value, String name) {
    Objects.requireNonNull(value, () -> name + " must not be null");
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
    return value;
  }

  /**
   * Configures a {@link GatewayConfig}; each setter rejects bad values at once. Not thread-safe.
   */
  public static final class Builder {
    private final URI upstream;
    private String listenHost = "127.0.0.1";
    private int listenPort;
    private StoreLocation storeLocation = StoreLocation.DEFAULT;
    private IdempotencyStore store;
    private boolean keyRequired;
    private Set<String> methods = new LinkedHashSet<>(IdempotencyRoute.DEFAULT_METHODS);
    private Duration lease = IdempotencyPolicy.DEFAULT_LEASE;
    private Duration retention = IdempotencyPolicy.DEFAULT_RETENTION;
    private Duration waitForInFlight = Duration.ZERO;
    private Duration upstreamTimeout = DEFAULT_UPSTREAM_TIMEOUT;
    private TenantSource tenant = TenantSource.authorizationHash();
    private Duration upstreamIdleTimeout = DEFAULT_UPSTREAM_IDLE_TIMEOUT;
    private int maxRequestBodyBytes = DEFAULT_MAX_REQUEST_BODY_BYTES;
    private int maxResponseBodyBytes = DEFAULT_MAX_RESPONSE_BODY_BYTES;
    private OnUnknownOutcome onUnknownOutcome = OnUnknownOutcome.FAIL;
    private String adminHost;
    private int adminPort;
    private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    private int maxThreads = DEFAULT_MAX_THREADS;
    private final List<WebhookEndpointSpec> webhooks = new ArrayList<>();
    private Duration webhookRetention = WebhookReceiver.DEFAULT_RETENTION;
    private Engine engine = DEFAULT_ENGINE;

    private Builder(URI upstream) {
      this.upstream = upstream;
    }

    /**
     * Where to listen: a host name or IP address ({@code 0.0.0.0} for every interface) and a port,
     * 0 for an ephemeral one.
     *
     * @throws IllegalArgumentException if the host is blank or the port is not 0 to 65535
     */
    public Builder listen(String host, int port) {
      this.listenHost = checkHost(host, "listen host");
      this.listenPort = checkPort(port, "listen port");
      return this;
    }

    /** The store to open (and close on stop), replacing a store instance given before. */
    public Builder storeLocation(StoreLocation location) {
      this.storeLocation = Objects.requireNonNull(location, "location must not be null");
      this.store = null;
      return this;
    }

    /**
     * A store instance to use, which the caller keeps owning: the gateway never closes it (nor
     * purges its expired records).
     */
    public Builder store(IdempotencyStore store) {
      this.store = Objects.requireNonNull(store, "store must not be null");
      return this;
    }

    /** Whether a guarded request without an Idempotency-Key is refused with 400 (default false). */
    public Builder keyRequired(boolean keyRequired) {
      this.keyRequired = keyRequired;
      return this;
    }

    /**
     * The guarded methods (POST and PATCH by default); every other method passes through without
     * touching the store.
     *
     * @throws IllegalArgumentException if none is given, one is not an HTTP token, or one is GET,
     *     HEAD, OPTIONS, TRACE or CONNECT
     */
    public Builder methods(List<String> methods) {
      Objects.requireNonNull(methods, "methods must not be null");
      IdempotencyRoute.builder("/**").methods(methods.toArray(String[]::new)); // validates
      Set<String> upper = new LinkedHashSet<>();
      methods.forEach(method -> upper.add(method.toUpperCase(Locale.ROOT)));
      this.methods = upper;
      return this;
    }

    /**
     * How long a claim is protected while the upstream works; renewed every third. 1 ms to 1 day.
     */
    public Builder lease(Duration lease) {
      IdempotencyRoute.builder("/**").lease(lease);
      this.lease = lease;
      return this;
    }

    /** How long a stored response is replayed: 1 ms to 400 days. */
    public Builder retention(Duration retention) {
      IdempotencyRoute.builder("/**").retention(retention);
      this.retention = retention;
      return this;
    }

    /**
     * How long a duplicate waits for the first request and replays it instead of 409: 0 to 10 min.
     * A waiting request holds one of the {@link #maxThreads(int) request threads}.
     */
    public Builder waitForInFlight(Duration waitForInFlight) {
      IdempotencyRoute.builder("/**").waitForInFlight(waitForInFlight);
      this.waitForInFlight = waitForInFlight;
      return this;
    }

    /**
     * How long the upstream may stay silent (to answer, and between reads of its response): 1 ms to
     * 1 day.
     */
    /**
     * How long a pooled upstream connection may stay idle (1 ms to 1 h; 500 ms by default): set it
     * below the upstream's keep-alive timeout minus the network's round trip.
     */
    public Builder upstreamIdleTimeout(Duration upstreamIdleTimeout) {
      checkPositive(upstreamIdleTimeout, "upstreamIdleTimeout");
      if (upstreamIdleTimeout.toMillis() < 1
          || upstreamIdleTimeout.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(
            "upstreamIdleTimeout must be between 1ms and 1h, was "
                + DurationText.format(upstreamIdleTimeout));
      }
      this.upstreamIdleTimeout = upstreamIdleTimeout;
      return this;
    }

    public Builder upstreamTimeout(Duration upstreamTimeout) {
      checkPositive(upstreamTimeout, "upstreamTimeout");
      if (upstreamTimeout.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException(
            "upstreamTimeout must be at most 1 day, was " + upstreamTimeout);
      }
      this.upstreamTimeout = upstreamTimeout;
      return this;
    }

    /**
     * Takes the tenant from this request header instead of a hash of {@code Authorization}: only
     * for a header the caller cannot choose (one an authenticating proxy sets). The same as {@code
     * tenant("header:" + name)}.
     *
     * @throws IllegalArgumentException if {@code name} is not an HTTP token
     */
    public Builder tenantHeader(String name) {
      this.tenant = TenantSource.header(name);
      return this;
    }

    /**
     * Where the tenant part of every key's scope comes from, so one caller's key never replays
     * another caller's response, in the text form of {@link TenantSource#parse}: {@code
     * authorization} (the default: a hash of the {@code Authorization} header, so a rotated token
     * is a new tenant), {@code header:NAME} (set by a trusted authenticating proxy), {@code
     * cookie:NAME}, {@code jwt:CLAIM?jwks=URL[&iss=…][&aud=…]} (a verified JWT claim, the choice
     * for bearer tokens that are refreshed) or {@code none} (one key space shared by every caller:
     * single-tenant upstreams only). A keyed request whose tenant cannot be determined is refused
     * with 400 {@code tenant-required} and never forwarded.
     *
     * @throws IllegalArgumentException if {@code spec} is not a tenant source, or is {@code
     *     tls-subject}: the gateway serves plain HTTP and never sees a client certificate
     */
    public Builder tenant(String spec) {
      TenantSource source = TenantSource.parse(spec);
      if (source.toString().equals("tls-subject")) {
        throw new IllegalArgumentException(
            "tls-subject needs TLS terminated by the gateway, which serves plain HTTP; have the"
                + " TLS terminator put the verified subject in a header it controls and use"
                + " header:NAME");
      }
      this.tenant = source;
      return this;
    }

    /** A tenant source of the embedding application's own; see {@link #tenant(String)}. */
    public Builder tenantSource(TenantSource source) {
      this.tenant = Objects.requireNonNull(source, "source must not be null");
      return this;
    }

    /**
     * The longest request body read and fingerprinted (413 beyond): 0 to 256 MiB, 10 MiB by
     * default.
     */
    public Builder maxRequestBodyBytes(int bytes) {
      this.maxRequestBodyBytes = checkBodyLimit(bytes, "maxRequestBodyBytes");
      return this;
    }

    /**
     * The longest response stored for replay: 0 to 256 MiB, 1 MiB by default. A longer response is
     * delivered, and a retry gets a {@code response-too-large} problem, never a second run.
     */
    public Builder maxResponseBodyBytes(int bytes) {
      this.maxResponseBodyBytes = checkBodyLimit(bytes, "maxResponseBodyBytes");
      return this;
    }

    public Builder onUnknownOutcome(OnUnknownOutcome onUnknownOutcome) {
      this.onUnknownOutcome =
          Objects.requireNonNull(onUnknownOutcome, "onUnknownOutcome must not be null");
      return this;
    }

    /**
     * Serves {@code /health} and {@code /metrics} on this address (port 0: ephemeral).
     *
     * @throws IllegalArgumentException if the host is blank or the port is not 0 to 65535
     */
    public Builder admin(String host, int port) {
      this.adminHost = checkHost(host, "admin host");
      this.adminPort = checkPort(port, "admin port");
      return this;
    }

    /** How long stop waits for in-flight requests: 0 to 10 minutes, 10 s by default. */
    public Builder drainTimeout(Duration drainTimeout) {
      Objects.requireNonNull(drainTimeout, "drainTimeout must not be null");
      if (drainTimeout.isNegative() || drainTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "drainTimeout must be between 0 and 10 minutes, was " + drainTimeout);
      }
      this.drainTimeout = drainTimeout;
      return this;
    }

    /**
     * The most requests handled at once, each holding a thread while the store and the upstream
     * answer: 16 to 10,000, 200 by default.
     */
    public Builder maxThreads(int maxThreads) {
      if (maxThreads < 16 || maxThreads > 10_000) {
        throw new IllegalArgumentException(
            "maxThreads must be between 16 and 10000, was " + maxThreads);
      }
      this.maxThreads = maxThreads;
      return this;
    }

    /**
     * Receives webhooks at the spec's path (repeatable): each delivery's signature is verified, its
     * event id claimed on the gateway's store, and a new event forwarded once to the upstream at
     * the same path with {@code Idempotency-Key: PROVIDER:EVENT_ID}. An upstream 2xx records the
     * event (later deliveries get 200 without a forward); any other answer, a refused connection or
     * a timeout releases it, so the sender's retry forwards it again.
     *
     * @throws IllegalArgumentException if another webhook endpoint has the same path
     */
    public Builder webhook(WebhookEndpointSpec spec) {
      Objects.requireNonNull(spec, "spec must not be null");
      for (WebhookEndpointSpec other : webhooks) {
        if (other.path().equals(spec.path())) {
          throw new IllegalArgumentException(
              "a webhook endpoint at " + spec.path() + " is already configured");
        }
      }
      webhooks.add(spec);
      return this;
    }

    /**
     * How long a webhook event id is remembered: 1 ms to 400 days, {@link
     * WebhookReceiver#DEFAULT_RETENTION 7 days} by default (longer than Stripe's, PayPal's and
     * GitHub's 3-day retry windows).
     */
    public Builder webhookRetention(Duration retention) {
      this.webhookRetention = dev.idempo.store.StoreLimits.checkRetention(retention);
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws IllegalArgumentException if the admin listener and the gateway share one fixed
     *     address
     */
    public GatewayConfig build() {
      return new GatewayConfig(this);
    }

    /**
     * The HTTP implementation the gateway runs on ({@link #DEFAULT_ENGINE} by default): {@link
     * Engine#NETTY} for event loops and upstream connections kept on the caller's event loop,
     * {@link Engine#JETTY} for a thread per request. The behaviour over HTTP is the same.
     */
    public Builder engine(Engine engine) {
      this.engine = Objects.requireNonNull(engine, "engine must not be null");
      return this;
    }

    private static int checkBodyLimit(int bytes, String name) {
      if (bytes < 0 || bytes > HttpIdempotency.MAX_BODY_LIMIT) {
        throw new IllegalArgumentException(
            name
                + " must be between 0 and "
                + HttpIdempotency.MAX_BODY_LIMIT
                + " bytes (256 MiB), was "
                + bytes);
      }
      return bytes;
    }
  }
}
