package dev.idempo.spring;

import dev.idempo.http.IdempotencyRoute;
import org.springframework.web.method.HandlerMethod;

/**
 * Adjusts the route the starter builds for an {@link Idempotent} handler, after the annotation and
 * the {@code idempo.defaults.*} properties were applied: a fingerprinter, a tenant source, the
 * released statuses or the takeover policy for some handlers. Declare it as a bean; every
 * customizer runs, in {@code @Order}.
 *
 * <pre>{@code
 * @Bean
 * IdempotencyRouteCustomizer canonicalJsonForPayments() {
 *   return (handler, route) -> {
 *     if (handler.getBeanType() == PaymentsController.class) {
 *       route.fingerprinter(RequestFingerprinter.CANONICAL_JSON);
 *     }
 *   };
 * }
 * }</pre>
 *
 * <p>Runs once per handler at start-up; an exception fails the start-up.
 */
// Its signatures name Spring Web, an optional dependency (requires static): who uses it brings it.
@SuppressWarnings("exports")
@FunctionalInterface
public interface IdempotencyRouteCustomizer {
  /**
   * Adjusts the route of one annotated handler before it is built.
   *
   * @param handler the annotated handler method
   * @param route the route being built for it
   */
  void customize(HandlerMethod handler, IdempotencyRoute.Builder route);
}
