package dev.idempo.spring.autoconfigure;

import dev.idempo.Fingerprint;
import dev.idempo.IdempotencyKey;
import dev.idempo.Scope;
import java.lang.reflect.Method;
import java.util.Objects;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * What the filter hands the transactional advice for one request: the handler, the key's scope, the
 * key and the request's fingerprint. Carried as a request attribute. Immutable.
 */
record TransactionalClaim(
    IdempotentHandler.Transactional handler,
    Scope scope,
    IdempotencyKey key,
    Fingerprint fingerprint) {
  /** The request attribute holding the claim. */
  static final String ATTRIBUTE = TransactionalClaim.class.getName();

  TransactionalClaim {
    Objects.requireNonNull(handler, "handler must not be null");
    Objects.requireNonNull(scope, "scope must not be null");
    Objects.requireNonNull(key, "key must not be null");
    Objects.requireNonNull(fingerprint, "fingerprint must not be null");
  }

  /**
   * Takes (reads and removes) the claim the filter prepared for the current request, if it is for
   * {@code method}; null otherwise: no current request, a request without a key on a route that
   * does not require one, or a call that did not come through the filter.
   */
  static TransactionalClaim take(Method method) {
    RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
    if (attributes == null) {
      return null;
    }
    Object claim = attributes.getAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
    if (!(claim instanceof TransactionalClaim prepared)
        || !prepared.handler().handler().getMethod().equals(method)) {
      return null;
    }
    attributes.removeAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
    return prepared;
  }
}
