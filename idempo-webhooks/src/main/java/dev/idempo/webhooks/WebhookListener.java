package dev.idempo.webhooks;

/**
 * Observes a {@link WebhookReceiver}, for metrics: count verified deliveries, refusals by reason,
 * duplicates and handler failures without a metrics library in this module (the Spring Boot starter
 * and the gateway bridge it to Micrometer). Every method has an empty default.
 *
 * <p>Called on the receiving thread; implementations must be thread-safe and fast, and anything
 * they throw is ignored.
 */
public interface WebhookListener {
  /** Observes nothing. */
  WebhookListener NONE = new WebhookListener() {};

  /** A delivery's signature and timestamp verified; deduplication comes next. */
  default void onVerified(String endpoint, String provider) {}

  /**
   * A delivery was refused before its handler ran; nothing was recorded.
   *
   * @param endpoint the endpoint's path, or empty when no endpoint matched (never the request's own
   *     path, so a metrics tag cannot grow without bound)
   * @param provider the endpoint's provider, or empty when no endpoint matched
   */
  default void onRefused(String endpoint, String provider, RefusalReason reason) {}

  /**
   * A verified delivery of an event that was already processed (answered 2xx) or is being processed
   * now ({@code inFlight}, answered 503 with Retry-After); the handler did not run.
   */
  default void onDuplicate(String endpoint, String provider, boolean inFlight) {}

  /** The handler ran and the event was recorded as processed. */
  default void onHandled(String endpoint, String provider) {}

  /** The handler threw; the event was released for the sender's retry (answered 500). */
  default void onHandlerFailure(String endpoint, String provider, Throwable failure) {}

  /** The idempotency store failed; nothing ran (answered 503). */
  default void onStoreFailure(String endpoint, String provider, RuntimeException failure) {}
}
