package dev.idempo.http;

import dev.idempo.IdempotencyPolicy;
import dev.idempo.Scope;
import dev.idempo.TakeoverPolicy;
import dev.idempo.store.StoreLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which requests are guarded and how: the paths and methods a route covers, whether a key is
 * required, the lease, retention and wait for an in-flight duplicate, the fingerprint, the tenant
 * and which response statuses are released rather than stored. The scope of a key is tenant +
 * method + route {@link #name()}, so the same key on two routes names two operations.
 *
 * <p>Paths are exact ({@code /payments}) or prefixes ({@code /payments/**}: {@code /payments} and
 * everything below it; {@code /**}: every path). Matching is on the path the application routes on,
 * case-sensitive, with no other wildcards and no trailing-slash folding. Methods match ignoring
 * ASCII case ({@code post} is guarded like {@code POST}): servers and clients that upper-case the
 * method (Jetty's HTTP client, Werkzeug) would otherwise execute a request the route never guarded.
 *
 * <p>Defaults: POST and PATCH; key required; lease 30 s (renewed every 10 s while the handler
 * runs); retention 24 h; no waiting for an in-flight duplicate (409 at once); {@link
 * RequestFingerprinter#RAW_BODY}; {@link TenantSource#authorizationHash()}; {@link
 * TakeoverPolicy#FAIL_CLOSED}; 408, 425, 429 and 503 released, every other status (5xx included)
 * stored. GET, HEAD, OPTIONS, TRACE and CONNECT can never be guarded: they never touch the store.
 *
 * <p>Immutable and thread-safe.
 */
public final class IdempotencyRoute {
  /** The statuses released by default: they say "not processed", so a retry runs again. */
  public static final Set<Integer> DEFAULT_RELEASED_STATUSES = Set.of(408, 425, 429, 503);

  /** The methods guarded by default. */
  public static final Set<String> DEFAULT_METHODS = Set.of("POST", "PATCH");

  /** Methods that never touch the store. */
  public static final Set<String> SAFE_METHODS =
      Set.of("GET", "HEAD", "OPTIONS", "TRACE", "CONNECT");

  private final String name;
  private final List<PathPattern> paths;
  private final Set<String> methods;
  private final boolean keyRequired;
  private final IdempotencyPolicy<CapturedResponse> policy;
  private final RequestFingerprinter fingerprinter;
  private final TenantSource tenant;
  private final Set<Integer> releasedStatuses;

  private IdempotencyRoute(Builder builder) {
    this.paths = List.copyOf(builder.paths);
    this.name = builder.name != null ? builder.name : String.join(",", builder.pathTexts());
    this.methods = Collections.unmodifiableSet(new TreeSet<>(builder.methods));
    this.keyRequired = builder.keyRequired;
    this.fingerprinter = builder.fingerprinter;
    this.tenant = builder.tenant;
    this.releasedStatuses = Collections.unmodifiableSet(new TreeSet<>(builder.releasedStatuses));
    for (String method : methods) {
      String operation = operation(method);
      if (operation.length() > Scope.MAX_PART_LENGTH) {
        throw new IllegalArgumentException(
            "route name plus method must be at most "
                + Scope.MAX_PART_LENGTH
                + " characters, was "
                + operation.length()
                + "; set a shorter name()");
      }
    }
    Set<Integer> released = this.releasedStatuses;
    this.policy =
        IdempotencyPolicy.<CapturedResponse>builder()
            .lease(builder.lease)
            .retention(builder.retention)
            .waitForInFlight(builder.waitForInFlight)
            .takeover(builder.takeover)
            .releaseResultsIf(
                response -> !response.isStandIn() && released.contains(response.status()))
            .build();
  }

  /**
   * A builder for a route covering {@code path} and {@code morePaths}.
   *
   * @param path an exact path ({@code /payments}) or a prefix ({@code /payments/**})
   * @throws IllegalArgumentException naming the path if one does not start with {@code /}, holds a
   *     wildcard other than a final {@code /**}, a space, {@code ?} or {@code #}
   */
  public static Builder builder(String path, String... morePaths) {
    Builder builder = new Builder();
    builder.path(path);
    for (String more : Objects.requireNonNull(morePaths, "morePaths must not be null")) {
      builder.path(more);
    }
    return builder;
  }

  /** The route's name, part of every key's scope; by default its paths joined with commas. */
  public String name() {
    return name;
  }

  /** The path patterns, as given. */
  public List<String> paths() {
    List<String> texts = new ArrayList<>(paths.size());
    paths.forEach(pattern -> texts.add(pattern.text()));
    return Collections.unmodifiableList(texts);
  }

  /** The guarded methods, upper case. */
  public Set<String> methods() {
    return methods;
  }

  /** True when a request without a key is refused (400); false when it passes through unguarded. */
  public boolean keyRequired() {
    return keyRequired;
  }

  public Duration lease() {
    return policy.lease();
  }

  public Duration retention() {
    return policy.retention();
  }

  /** How long a duplicate waits for the first request to finish before 409; zero: no waiting. */
  public Duration waitForInFlight() {
    return policy.waitForInFlight();
  }

  public TakeoverPolicy takeover() {
    return policy.takeover();
  }

  public RequestFingerprinter fingerprinter() {
    return fingerprinter;
  }

  public TenantSource tenantSource() {
    return tenant;
  }

  /** The statuses released (not stored), so a retry runs again. */
  public Set<Integer> releasedStatuses() {
    return releasedStatuses;
  }

  /** True when a response with {@code status} is released rather than stored. */
  public boolean releases(int status) {
    return releasedStatuses.contains(status);
  }

  /** True when this route guards {@code method} (any ASCII case) on {@code path}. */
  public boolean matches(String method, String path) {
    return specificity(method, path) >= 0;
  }

  /** The core policy this route runs under. */
  IdempotencyPolicy<CapturedResponse> policy() {
    return policy;
  }

  /** The operation part of a scope: method, space, route name. */
  String operation(String method) {
    return method + " " + name;
  }

  /**
   * How specifically this route matches: {@code Integer.MAX_VALUE} for an exact path, the prefix's
   * length for a prefix, -1 for no match.
   */
  int specificity(String method, String path) {
    if (!methods.contains(canonicalMethod(method))) {
      return -1;
    }
    int best = -1;
    for (PathPattern pattern : paths) {
      best = Math.max(best, pattern.specificity(path));
    }
    return best;
  }

  @Override
  public String toString() {
    return "IdempotencyRoute["
        + name
        + ", paths="
        + paths()
        + ", methods="
        + methods
        + ", keyRequired="
        + keyRequired
        + ", lease="
        + lease()
        + ", retention="
        + retention()
        + ", waitForInFlight="
        + waitForInFlight()
        + ", takeover="
        + takeover()
        + ", fingerprinter="
        + fingerprinter
        + ", releasedStatuses="
        + releasedStatuses
        + "]";
  }

  /**
   * {@code method} with its ASCII letters in upper case, the form routes, scopes and fingerprints
   * use. Only ASCII: a token has no other letters, and {@code String.toUpperCase} would turn the
   * non-token {@code "poſt"} into {@code "POST"}.
   */
  static String canonicalMethod(String method) {
    for (int i = 0; i < method.length(); i++) {
      char c = method.charAt(i);
      if (c >= 'a' && c <= 'z') {
        char[] chars = method.toCharArray();
        for (int j = i; j < chars.length; j++) {
          if (chars[j] >= 'a' && chars[j] <= 'z') {
            chars[j] = (char) (chars[j] - ('a' - 'A'));
          }
        }
        return new String(chars);
      }
    }
    return method;
  }

  /** An exact path or a {@code /**} prefix. */
  record PathPattern(String text, String base, boolean prefix) {
    static PathPattern parse(String text) {
      Objects.requireNonNull(text, "path must not be null");
      if (!text.startsWith("/")) {
        throw new IllegalArgumentException("path must start with /, was \"" + text + "\"");
      }
      if (text.length() > 1000) {
        throw new IllegalArgumentException(
            "path must be at most 1000 characters, was " + text.length());
      }
      boolean prefix = text.endsWith("/**");
      String base = prefix ? text.substring(0, text.length() - 3) : text;
      for (int i = 0; i < base.length(); i++) {
        char c = base.charAt(i);
        if (c == '*' || c == '?' || c == '#' || c <= 0x20 || c == 0x7F) {
          throw new IllegalArgumentException(
              "path \""
                  + text
                  + "\" has '"
                  + c
                  + "' at index "
                  + i
                  + "; only an exact path or a prefix ending in /** is allowed");
        }
      }
      return new PathPattern(text, base, prefix);
    }

    int specificity(String path) {
      if (!prefix) {
        return path.equals(base) ? Integer.MAX_VALUE : -1;
      }
      if (path.equals(base)
          || (path.startsWith(base)
              && path.length() > base.length()
              && path.charAt(base.length()) == '/')) {
        return base.length();
      }
      return -1;
    }
  }

  /** Configures a route; each setter rejects bad values at once. Not thread-safe. */
  public static final class Builder {
    private final List<PathPattern> paths = new ArrayList<>();
    private String name;
    private Set<String> methods = new LinkedHashSet<>(DEFAULT_METHODS);
    private boolean keyRequired = true;
    private Duration lease = IdempotencyPolicy.DEFAULT_LEASE;
    private Duration retention = IdempotencyPolicy.DEFAULT_RETENTION;
    private Duration waitForInFlight = Duration.ZERO;
    private TakeoverPolicy takeover = TakeoverPolicy.FAIL_CLOSED;
    private RequestFingerprinter fingerprinter = RequestFingerprinter.RAW_BODY;
    private TenantSource tenant = TenantSource.authorizationHash();
    private Set<Integer> releasedStatuses = DEFAULT_RELEASED_STATUSES;

    private Builder() {}

    private void path(String path) {
      PathPattern pattern = PathPattern.parse(path);
      for (PathPattern existing : paths) {
        if (existing.text().equals(pattern.text())) {
          throw new IllegalArgumentException("path " + path + " was given twice");
        }
      }
      paths.add(pattern);
    }

    private List<String> pathTexts() {
      List<String> texts = new ArrayList<>();
      paths.forEach(pattern -> texts.add(pattern.text()));
      return texts;
    }

    /**
     * The route's name, part of every key's scope: keep it stable across deployments, or keys in
     * flight and stored responses are no longer found. Defaults to the paths joined by commas.
     *
     * @throws IllegalArgumentException if {@code name} is empty or longer than 1000 characters
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name must not be null");
      if (name.isEmpty() || name.length() > 1000) {
        throw new IllegalArgumentException(
            "name must be 1 to 1000 characters, was " + name.length());
      }
      this.name = name;
      return this;
    }

    /**
     * The methods guarded (replacing the default POST and PATCH); upper-cased.
     *
     * @throws IllegalArgumentException if none is given, one is not an HTTP token, or one is GET,
     *     HEAD, OPTIONS, TRACE or CONNECT (safe methods never touch the store)
     */
    public Builder methods(String... methods) {
      Objects.requireNonNull(methods, "methods must not be null");
      if (methods.length == 0) {
        throw new IllegalArgumentException("methods must name at least one method");
      }
      Set<String> upper = new LinkedHashSet<>();
      for (String method : methods) {
        Objects.requireNonNull(method, "method must not be null");
        if (!CapturedResponse.isToken(method)) {
          throw new IllegalArgumentException(
              "method must be an HTTP token, was \"" + method + "\"");
        }
        String m = method.toUpperCase(Locale.ROOT);
        if (SAFE_METHODS.contains(m)) {
          throw new IllegalArgumentException(
              "method " + m + " cannot be guarded: safe methods never touch the idempotency store");
        }
        upper.add(m);
      }
      this.methods = upper;
      return this;
    }

    /**
     * Whether a request without a key is refused with 400 (true, the default) or passes through.
     */
    public Builder keyRequired(boolean keyRequired) {
      this.keyRequired = keyRequired;
      return this;
    }

    /**
     * How long a claim is protected while the handler runs; renewed every third of it. 1 ms to 1
     * day; 30 s by default.
     */
    public Builder lease(Duration lease) {
      StoreLimits.checkLease(lease);
      this.lease = lease;
      return this;
    }

    /** How long a stored response is replayed: 1 ms to 400 days; 24 h by default. */
    public Builder retention(Duration retention) {
      this.retention = StoreLimits.checkRetention(retention);
      return this;
    }

    /**
     * How long a duplicate waits for the first request to finish and then replays its response,
     * instead of answering 409 at once. Zero (the default) answers at once; at most 10 minutes. The
     * waiting request holds its thread.
     */
    public Builder waitForInFlight(Duration waitForInFlight) {
      Objects.requireNonNull(waitForInFlight, "waitForInFlight must not be null");
      if (waitForInFlight.isNegative()
          || waitForInFlight.compareTo(IdempotencyPolicy.MAX_WAIT_FOR_IN_FLIGHT) > 0) {
        throw new IllegalArgumentException(
            "waitForInFlight must be between 0 and "
                + IdempotencyPolicy.MAX_WAIT_FOR_IN_FLIGHT
                + ", was "
                + waitForInFlight);
      }
      this.waitForInFlight = waitForInFlight;
      return this;
    }

    /**
     * What a retry does when the first request's handler stopped without an answer (its lease ran
     * out): {@link TakeoverPolicy#FAIL_CLOSED} (the default) answers {@link
     * ProblemType#OUTCOME_UNKNOWN}; {@link TakeoverPolicy#REEXECUTE} runs it again, for handlers
     * that are idempotent themselves.
     */
    public Builder takeover(TakeoverPolicy takeover) {
      this.takeover = Objects.requireNonNull(takeover, "takeover must not be null");
      return this;
    }

    /** How requests are compared; {@link RequestFingerprinter#RAW_BODY} by default. */
    public Builder fingerprinter(RequestFingerprinter fingerprinter) {
      this.fingerprinter = Objects.requireNonNull(fingerprinter, "fingerprinter must not be null");
      return this;
    }

    /**
     * Whose key it is; {@link TenantSource#authorizationHash()} by default. A keyed request the
     * source finds no tenant for is refused with 400 {@link ProblemType#TENANT_REQUIRED}, unless
     * the source {@linkplain TenantSource#sharesOneKeySpace() shares one key space}.
     */
    public Builder tenantSource(TenantSource tenant) {
      this.tenant = Objects.requireNonNull(tenant, "tenant must not be null");
      return this;
    }

    /**
     * The response statuses released rather than stored (replacing the default 408, 425, 429, 503):
     * a response with one of them tells the client the request was not processed, so a retry runs
     * again. Give none to store every response.
     *
     * @throws IllegalArgumentException if a status is not between 100 and 599
     */
    public Builder releasedStatuses(int... statuses) {
      Objects.requireNonNull(statuses, "statuses must not be null");
      Set<Integer> set = new TreeSet<>();
      for (int status : statuses) {
        if (status < 100 || status > 599) {
          throw new IllegalArgumentException(
              "released status must be between 100 and 599, was " + status);
        }
        set.add(status);
      }
      this.releasedStatuses = set;
      return this;
    }

    /**
     * Builds the route.
     *
     * @throws IllegalArgumentException if the name plus a method is longer than a scope allows
     */
    public IdempotencyRoute build() {
      return new IdempotencyRoute(this);
    }
  }
}
