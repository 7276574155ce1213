package dev.idempo.webhooks;

/**
 * Why a delivery was refused before its handler ran. A refused delivery records nothing in the
 * store; it is answered with an RFC 9457 {@code application/problem+json} body whose {@code type}
 * is {@code urn:idempo:problem:} plus {@link #slug()} (or the configured base). Slugs and statuses
 * are stable.
 *
 * <p>Statuses: 401 when the delivery is not proven to come from the sender (no signature, a wrong
 * one, a timestamp outside the tolerance), 400 when a header or the body cannot be read at all.
 * Every sender retries a non-2xx answer, so a delivery refused because of a rotated secret arrives
 * again once the configuration is fixed.
 */
public enum RefusalReason {
  /** No endpoint is registered at the request's path. */
  UNKNOWN_ENDPOINT("webhook-endpoint-unknown", 404, "No webhook endpoint at this path"),
  /** Webhooks are delivered with POST; anything else is refused (with {@code Allow: POST}). */
  METHOD_NOT_ALLOWED("webhook-method-not-allowed", 405, "Webhook endpoints accept POST only"),
  /** The body is longer than the receiver accepts. */
  BODY_TOO_LARGE("webhook-body-too-large", 413, "Webhook body too large"),
  /** A signature, timestamp or id header the provider always sends is absent. */
  SIGNATURE_MISSING("webhook-signature-missing", 401, "Webhook signature missing"),
  /** A signature or timestamp header cannot be parsed (or is repeated, or far too long). */
  SIGNATURE_MALFORMED("webhook-signature-malformed", 400, "Webhook signature header malformed"),
  /** No signature in the header matches any active secret or key. */
  SIGNATURE_MISMATCH("webhook-signature-mismatch", 401, "Webhook signature does not match"),
  /** The signed timestamp is older than the tolerance: a late replay, or a badly skewed clock. */
  TIMESTAMP_STALE("webhook-timestamp-stale", 401, "Webhook timestamp outside the tolerance"),
  /** The signed timestamp is further in the future than the tolerance. */
  TIMESTAMP_IN_FUTURE("webhook-timestamp-in-future", 401, "Webhook timestamp in the future"),
  /** The signature is valid but the event id cannot be found (or is not a valid id). */
  EVENT_ID_MISSING("webhook-event-id-missing", 400, "Webhook event id missing");

  private final String slug;
  private final int status;
  private final String title;

  RefusalReason(String slug, int status, String title) {
    this.slug = slug;
    this.status = status;
    this.title = title;
  }

  /** The last part of the problem {@code type} URI, e.g. {@code webhook-signature-mismatch}. */
  public String slug() {
    return slug;
  }

  /** The HTTP status of the refusal: 400, 401, 404, 405 or 413. */
  public int status() {
    return status;
  }

  /** The problem's {@code title}. */
  public String title() {
    return title;
  }
}
