package dev.idempo.spring;

import dev.idempo.webhooks.TransactionalWebhookHandler;
import dev.idempo.webhooks.WebhookHandler;
import dev.idempo.webhooks.WebhookVerifier;
import java.util.Objects;
import java.util.Optional;

/**
 * A webhook endpoint declared as a bean, the alternative to {@link WebhookEndpoint} for handlers
 * that are lambdas or need a verifier built in code:
 *
 * <pre>{@code
 * @Bean
 * WebhookRegistration githubPushes(Builds builds) {
 *   return WebhookRegistration.of("/hooks/github", event -> builds.start(event.bodyAsString()));
 * }
 * }</pre>
 *
 * <p>Without a verifier, the endpoint's {@code idempo.webhooks.endpoints} entry (same path)
 * verifies it; with one, no entry may name the path. Immutable and thread-safe.
 */
// Its signatures name idempo-webhooks, an optional dependency (requires static): who uses it brings
// it.
@SuppressWarnings("exports")
public final class WebhookRegistration {
  private final String path;
  private final WebhookVerifier verifier;
  private final WebhookHandler handler;
  private final TransactionalWebhookHandler transactionalHandler;

  private WebhookRegistration(
      String path,
      WebhookVerifier verifier,
      WebhookHandler handler,
      TransactionalWebhookHandler transactionalHandler) {
    this.path = Objects.requireNonNull(path, "path must not be null");
    this.verifier = verifier;
    this.handler = handler;
    this.transactionalHandler = transactionalHandler;
  }

  /** A leased endpoint verified by its {@code idempo.webhooks.endpoints} entry. */
  public static WebhookRegistration of(String path, WebhookHandler handler) {
    return new WebhookRegistration(path, null, requireHandler(handler), null);
  }

  /** A leased endpoint verified by {@code verifier}. */
  public static WebhookRegistration of(
      String path, WebhookVerifier verifier, WebhookHandler handler) {
    return new WebhookRegistration(
        path,
        Objects.requireNonNull(verifier, "verifier must not be null"),
        requireHandler(handler),
        null);
  }

  /**
   * A transactional endpoint (the application's one DataSource) verified by its {@code
   * idempo.webhooks.endpoints} entry.
   */
  public static WebhookRegistration transactional(
      String path, TransactionalWebhookHandler handler) {
    return new WebhookRegistration(
        path, null, null, Objects.requireNonNull(handler, "handler must not be null"));
  }

  /** A transactional endpoint verified by {@code verifier}. */
  public static WebhookRegistration transactional(
      String path, WebhookVerifier verifier, TransactionalWebhookHandler handler) {
    return new WebhookRegistration(
        path,
        Objects.requireNonNull(verifier, "verifier must not be null"),
        null,
        Objects.requireNonNull(handler, "handler must not be null"));
  }

  private static WebhookHandler requireHandler(WebhookHandler handler) {
    return Objects.requireNonNull(handler, "handler must not be null");
  }

  public String path() {
    return path;
  }

  /** The verifier given in code, if any. */
  public Optional<WebhookVerifier> verifier() {
    return Optional.ofNullable(verifier);
  }

  /** The leased handler, or null for a transactional endpoint. */
  public WebhookHandler handler() {
    return handler;
  }

  /** The transactional handler, or null for a leased endpoint. */
  public TransactionalWebhookHandler transactionalHandler() {
    return transactionalHandler;
  }

  public boolean isTransactional() {
    return transactionalHandler != null;
  }

  @Override
  public String toString() {
    return "WebhookRegistration[" + path + (isTransactional() ? ", transactional" : "") + "]";
  }
}
