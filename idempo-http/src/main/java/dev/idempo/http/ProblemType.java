package dev.idempo.http;

/**
 * The problems {@link HttpIdempotency} answers, each an RFC 9457 {@code application/problem+json}
 * response whose {@code type} is the configured problem base followed by {@link #slug()} ({@code
 * urn:idempo:problem:key-mismatch} by default). Slugs and statuses are stable: clients may branch
 * on them.
 */
public enum ProblemType {
  /** The route requires an {@code Idempotency-Key} and the request has none. */
  KEY_MISSING("key-missing", 400, "Idempotency-Key header missing"),
  /** The {@code Idempotency-Key} header is not one valid key. */
  KEY_INVALID("key-invalid", 400, "Idempotency-Key header invalid"),
  /** The first request with this key is still running; {@code Retry-After} says when to retry. */
  KEY_IN_FLIGHT("key-in-flight", 409, "Request with this Idempotency-Key still in progress"),
  /** The key was used before with a different request (method, path, query, type or body). */
  KEY_MISMATCH("key-mismatch", 422, "Idempotency-Key reused with a different request"),
  /**
   * An earlier request with this key stopped before its outcome was recorded; it is not run again.
   */
  OUTCOME_UNKNOWN("outcome-unknown", 502, "Outcome of the earlier request unknown"),
  /**
   * The route cannot tell whose request this is (its {@link TenantSource} found no tenant, say no
   * {@code Authorization} header), so its key could collide with another caller's: nothing was
   * claimed or run. The detail names what the request lacks and the setting that chooses the
   * source.
   */
  TENANT_REQUIRED("tenant-required", 400, "Tenant required"),
  /** The request body is larger than the server fingerprints. */
  BODY_TOO_LARGE("body-too-large", 413, "Request body too large"),
  /** The idempotency store could not answer, so the request was not run. */
  STORE_UNAVAILABLE("store-unavailable", 503, "Idempotency store unavailable"),
  /**
   * The first request's response was larger than the server stores; the operation ran once and is
   * not run again. Replayed (with {@code Idempotent-Replayed: true}) in place of that response.
   */
  RESPONSE_TOO_LARGE("response-too-large", 500, "Response too large to store"),
  /**
   * The stored response for this key cannot be read back (say, it was encrypted with a key the
   * server no longer has); the operation is not run again.
   */
  STORED_RESPONSE_UNREADABLE("stored-response-unreadable", 500, "Stored response unreadable"),
  /**
   * The server failed in a way that is not about the request or a stored record (a bug, or a store
   * answering outside its contract); logged, and nothing was run.
   */
  INTERNAL_ERROR("internal-error", 500, "Internal error"),
  /**
   * 502: a proxy could not reach its upstream, so the request was not sent; the key is released and
   * a retry may forward it.
   */
  UPSTREAM_UNAVAILABLE("upstream-unavailable", 502, "Upstream unavailable"),
  /** 504: a proxy's upstream did not answer in time. */
  UPSTREAM_TIMEOUT("upstream-timeout", 504, "Upstream timed out"),
  /**
   * 400: a proxy refused a request it could not forward as received without changing what it means:
   * a method token it would alter ({@code post}), or a path the upstream may read as another route
   * than the one matched ({@code /a/..%2Fcharges}). Nothing was forwarded.
   */
  REQUEST_AMBIGUOUS("request-ambiguous", 400, "Request ambiguous");

  private final String slug;
  private final int status;
  private final String title;

  ProblemType(String slug, int status, String title) {
    this.slug = slug;
    this.status = status;
    this.title = title;
  }

  /** The last part of the {@code type} URI, e.g. {@code key-mismatch}. */
  public String slug() {
    return slug;
  }

  /** The HTTP status the problem is answered with. */
  public int status() {
    return status;
  }

  /** The problem's {@code title}: the same for every occurrence. */
  public String title() {
    return title;
  }
}
