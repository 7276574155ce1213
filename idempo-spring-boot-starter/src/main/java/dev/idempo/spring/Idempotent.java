package dev.idempo.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives a Spring MVC handler method {@code Idempotency-Key} semantics: the first request with a key
 * runs the handler, every retry with the same key and request gets the first response back (with
 * {@code Idempotent-Replayed: true}), a concurrent duplicate gets 409, the same key with another
 * request 422, and a missing key 400 unless {@link #required()} is false.
 *
 * <pre>{@code
 * @PostMapping("/payments")
 * @Idempotent
 * ResponseEntity<Payment> charge(@RequestBody ChargeRequest request) { ... }
 * }</pre>
 *
 * <p><b>How handlers are found.</b> At start-up the starter reads every handler method of every
 * {@code RequestMappingHandlerMapping} and turns each one annotated here (or declared in a class
 * annotated here) into an {@link dev.idempo.http.IdempotencyRoute} for the unsafe methods it maps
 * ({@code POST}, {@code PUT}, {@code PATCH}, {@code DELETE}; {@code POST} and {@code PATCH} when
 * the mapping names no method). For each unsafe request a servlet filter asks the same handler
 * mapping which handler method will serve it, so the route matches exactly the paths Spring MVC
 * routes to that method, path variables and all. A method-level annotation replaces a class-level
 * one; on a class, it guards only the unsafe handler methods. A method-level annotation on a
 * handler that maps only safe methods (GET, HEAD, ...) fails the start-up.
 *
 * <p><b>Leased mode</b> (the default) works with any store ({@code idempo.store.type}): the filter
 * claims the key, runs the handler with its response captured in memory, then stores the response
 * (allow-listed headers only, never {@code Set-Cookie}) or, for 408, 425, 429 and 503, releases the
 * key so a retry runs again. A handler that throws records an unknown outcome: retries get 502
 * {@code outcome-unknown}.
 *
 * <p><b>Transactional mode</b> ({@link #transactional()} true) is for handlers whose effect lives
 * in the application's JDBC {@code DataSource}: the key's row, the handler's writes and the stored
 * result commit in ONE transaction. See {@link #transactional()}.
 *
 * <p>Durations are Spring Boot durations ({@code "30s"}, {@code "24h"}, {@code "PT1M"}); empty
 * means the {@code idempo.defaults.*} property.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Idempotent {
  /**
   * Whether a request without an {@code Idempotency-Key} is refused with 400 {@code key-missing}
   * (true, the default) or runs unguarded.
   */
  boolean required() default true;

  /**
   * The route's name, part of every key's scope, so keep it stable across deployments. Empty (the
   * default): the handler's path patterns joined by commas, e.g. {@code /payments/{id}/refunds}.
   */
  String name() default "";

  /**
   * How long a claim is protected while the handler runs (renewed every third of it); empty: {@code
   * idempo.defaults.lease} (30 s). Leased mode only.
   */
  String lease() default "";

  /** How long the stored response is replayed; empty: {@code idempo.defaults.retention} (24 h). */
  String retention() default "";

  /**
   * How long a duplicate waits for the first request to finish and replays it, instead of 409 at
   * once; empty: {@code idempo.defaults.wait-for-in-flight} (0). Leased mode only: in transactional
   * mode a duplicate always waits on the database's row lock.
   */
  String waitForInFlight() default "";

  /**
   * Transactional mode: the handler runs inside a transaction that also holds the key's row and the
   * stored result, on the application's {@code DataSource}, through its transaction manager.
   *
   * <ul>
   *   <li>The servlet filter only validates the key, reads and fingerprints the body (400, 413
   *       problems come from it); the claim happens in an AOP advice around the handler method.
   *   <li>The advice opens the transaction with the handler's own {@code @Transactional} settings
   *       (isolation, timeout, transaction manager), or the defaults when it has none; the
   *       handler's {@code @Transactional} joins it. Inside it, on the connection the transaction
   *       holds ({@code DataSourceUtils.getConnection}), it inserts the key's row, runs the
   *       handler, and stores its result: the {@code ResponseEntity}'s status and allow-listed
   *       headers and its body as JSON (Jackson), or the returned body.
   *   <li>A retry gets the stored result back, deserialized to the method's return type, with
   *       {@code Idempotent-Replayed: true}. A concurrent duplicate waits on the row's lock and
   *       then replays (or runs, if the first rolled back); it never gets 409.
   *   <li>A handler that throws rolls the whole transaction back, whatever its rollback rules:
   *       neither its writes nor the key's row remain, and a retry runs it again. A {@code
   *       ResponseEntity} with a released status (503, ...) rolls back too and is sent as is.
   * </ul>
   *
   * <p>Requirements, checked at start-up: a unique {@code DataSource} (PostgreSQL or SQLite) and a
   * transaction manager for it, Jackson, a handler that returns a body ({@code @ResponseBody}) or a
   * {@code ResponseEntity} of one (not {@code void}, streams or asynchronous types), no
   * {@code @Transactional} propagation that would leave the advice's transaction (REQUIRES_NEW,
   * NOT_SUPPORTED, NEVER, NESTED), and no {@link #lease()} or {@link #waitForInFlight()}.
   */
  boolean transactional() default false;
}
