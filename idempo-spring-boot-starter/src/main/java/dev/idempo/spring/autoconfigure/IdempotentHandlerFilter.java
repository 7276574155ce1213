package dev.idempo.spring.autoconfigure;

import dev.idempo.http.Decision;
import dev.idempo.http.HttpIdempotency;
import dev.idempo.http.IdempotencyRoute;
import dev.idempo.servlet.BufferedBodyRequest;
import dev.idempo.servlet.CapturedResponseWriter;
import dev.idempo.servlet.ServletIncomingRequest;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;

/**
 * The servlet filter behind {@code @Idempotent}: for each unsafe request it asks the handler
 * mappings which handler will serve it and, if that handler is guarded, either runs the leased flow
 * ({@link dev.idempo.servlet.IdempotencyFilter}) or, for a transactional handler, has {@link
 * HttpIdempotency#prepare} check the key, read and fingerprint the body, and leaves a {@link
 * TransactionalClaim} for the advice around the handler. Safe methods, other dispatches and
 * unguarded handlers pass straight through. Thread-safe.
 */
final class IdempotentHandlerFilter implements Filter {
  private final IdempotentHandlers handlers;

  IdempotentHandlerFilter(IdempotentHandlers handlers) {
    this.handlers = handlers;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request)
        || !(res instanceof HttpServletResponse response)
        || req.getDispatcherType() != DispatcherType.REQUEST
        || IdempotencyRoute.SAFE_METHODS.contains(request.getMethod().toUpperCase(Locale.ROOT))) {
      chain.doFilter(req, res);
      return;
    }
    IdempotentHandler handler = handlers.find(request);
    if (handler instanceof IdempotentHandler.Leased leased) {
      leased.filter().doFilter(request, response, chain);
    } else if (handler instanceof IdempotentHandler.Transactional transactional) {
      prepareTransactional(transactional, request, response, chain);
    } else {
      chain.doFilter(request, response);
    }
  }

  /**
   * {@link HttpIdempotency#prepare}: everything before the claim, which the advice makes in the
   * handler's transaction from the {@link TransactionalClaim} left here.
   */
  private static void prepareTransactional(
      IdempotentHandler.Transactional handler,
      HttpServletRequest request,
      HttpServletResponse response,
      FilterChain chain)
      throws IOException, ServletException {
    ServletIncomingRequest incoming = new ServletIncomingRequest(request);
    Decision decision = handler.http().prepare(incoming);
    if (decision instanceof Decision.Respond respond) {
      CapturedResponseWriter.write(respond.response(), response);
      return;
    }
    if (!(decision instanceof Decision.Claim claim)) {
      chain.doFilter(request, response);
      return;
    }
    request.setAttribute(
        TransactionalClaim.ATTRIBUTE,
        new TransactionalClaim(handler, claim.scope(), claim.key(), claim.fingerprint()));
    try {
      chain.doFilter(new BufferedBodyRequest(request, incoming.bufferedBody()), response);
    } finally {
      request.removeAttribute(TransactionalClaim.ATTRIBUTE);
    }
  }

  @Override
  public String toString() {
    return "IdempotentHandlerFilter[" + handlers + "]";
  }
}
