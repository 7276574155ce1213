package dev.idempo.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.core.annotation.AliasFor;

/**
 * Marks a bean method as the handler of the webhook endpoint at {@link #path()}: the starter
 * verifies each delivery with the endpoint's {@code idempo.webhooks.endpoints} entry (same path),
 * claims its event id and calls the method once per event.
 *
 * <pre>{@code
 * // idempo.webhooks.endpoints[0]=/hooks/stripe=stripe:env:STRIPE_SECRET
 * @Component
 * class StripeEvents {
 *   @WebhookEndpoint("/hooks/stripe")
 *   void on(WebhookEvent event) { payments.record(event.id(), event.bodyAsString()); }
 * }
 * }</pre>
 *
 * <p>The method takes a {@link dev.idempo.webhooks.WebhookEvent}; with {@link #transactional()} it
 * takes {@code (WebhookEvent, java.sql.Connection)} and its writes on that connection commit in one
 * transaction with the event id's row (the application's one DataSource, PostgreSQL or SQLite). Its
 * return value is ignored; an exception answers 500 and releases the event so the sender's retry
 * runs it again. A method without a matching endpoint entry, an entry without a method, or two
 * methods for one path fail the application's start-up.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface WebhookEndpoint {
  /** Alias for {@link #path()}. */
  @AliasFor("path")
  String value() default "";

  /** The endpoint's path, e.g. {@code /hooks/stripe}, as in {@code idempo.webhooks.endpoints}. */
  @AliasFor("value")
  String path() default "";

  /**
   * Whether the handler runs in the event id's database transaction (exactly once); false (the
   * default) claims the event id on the application's idempotency store, runs the handler, then
   * records the event as processed (at least once should the application die mid-event).
   */
  boolean transactional() default false;
}
