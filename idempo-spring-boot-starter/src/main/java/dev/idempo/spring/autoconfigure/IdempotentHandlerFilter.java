package dev.idempo.spring.autoconfigure;

import dev.idempo.servlet.CapturedResponseWriter;
import dev.idempo.Fingerprint;
import dev.idempo.IdempotencyKey;
import dev.idempo.Scope;
import dev.idempo.http.HttpIdempotency;
import dev.idempo.http.IdempotencyKeyHeader;
import dev.idempo.http.IdempotencyRoute;
import dev.idempo.http.IncomingRequest;
import dev.idempo.http.InvalidIdempotencyKeyException;
import dev.idempo.http.ProblemType;
import dev.idempo.http.RequestBodyTooLargeException;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import dev.idempo.servlet.BufferedBodyRequest;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The servlet filter behind {@code @Idempotent}: for each unsafe request it asks the handler
 * mappings which handler will serve it and, if that handler is guarded, either runs the leased
 * flow ({@link dev.idempo.servlet.IdempotencyFilter}) or, for a transactional handler, checks
 * the key, reads and fingerprints the body and leaves a {@link TransactionalClaim} for the advice
 * around the handler. Safe methods, other dispatches and unguarded handlers pass straight through.
 * Thread-safe.
 */
final class IdempotentHandlerFilter implements Filter {
  private static final int CHUNK = 8192;

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

  /** What {@link HttpIdempotency#begin} does before its claim, for the advice to claim in the transaction. */
  private static void prepareTransactional(
      IdempotentHandler.Transactional handler,
      HttpServletRequest request,
      HttpServletResponse response,
      FilterChain chain)
      throws IOException, ServletException {
    IdempotencyRoute route = handler.route();
    HttpIdempotency http = handler.http();
    String method = request.getMethod().toUpperCase(Locale.ROOT);
    if (!route.methods().contains(method)) {
      chain.doFilter(request, response);
      return;
    }
    Optional<IdempotencyKey> key;
    try {
      key = IdempotencyKeyHeader.parse(values(request.getHeaders(IdempotencyKeyHeader.NAME)));
    } catch (InvalidIdempotencyKeyException e) {
      CapturedResponseWriter.write(http.problem(ProblemType.KEY_INVALID, e.getMessage() + "."), response);
      return;
    }
    if (key.isEmpty()) {
      if (!route.keyRequired()) {
        chain.doFilter(request, response);
        return;
      }
      CapturedResponseWriter.write(
          http.problem(
              ProblemType.KEY_MISSING,
              "This endpoint requires an Idempotency-Key header: send a new unique key (a UUID) for"
                  + " each operation and the same key when retrying it."),
          response);
      return;
    }
    byte[] body;
    try {
      body = readBody(request, http.maxRequestBodyBytes());
    } catch (RequestBodyTooLargeException e) {
      CapturedResponseWriter.write(http.problem(ProblemType.BODY_TOO_LARGE, "The " + e.getMessage() + "."), response);
      return;
    }
    ServletRequestView view = new ServletRequestView(request, body);
    // The upper-cased method, as routes match it: post and POST are one operation with one key.
    Fingerprint fingerprint =
        route
            .fingerprinter()
            .fingerprint(
                method,
                view.path(),
                view.query(),
                values(request.getHeaders("Content-Type")),
                values(request.getHeaders("Content-Encoding")),
                body);
    String tenant = route.tenantSource().tenant(view);
    if (tenant == null) {
      throw new IllegalStateException("the TenantSource of route " + route.name() + " answered null");
    }
    Scope scope = Scope.of(tenant, handler.operation(method));
    request.setAttribute(TransactionalClaim.ATTRIBUTE, new TransactionalClaim(handler, scope, key.get(), fingerprint));
    try {
      chain.doFilter(new BufferedBodyRequest(request, body), response);
    } finally {
      request.removeAttribute(TransactionalClaim.ATTRIBUTE);
    }
  }

  /** Reads the whole body, checking the declared Content-Length first, then counting. */
  private static byte[] readBody(HttpServletRequest request, int limit) throws IOException {
    long declared = request.getContentLengthLong();
    if (declared > limit) {
      throw new RequestBodyTooLargeException(limit, declared);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 256);
    byte[] chunk = new byte[CHUNK];
    long total = 0;
    InputStream in = request.getInputStream();
    int read;
    while ((read = in.read(chunk, 0, (int) Math.min(CHUNK, limit - total + 1))) != -1) {
      total += read;
      if (total > limit) {
        throw new RequestBodyTooLargeException(limit, -1);
      }
      out.write(chunk, 0, read);
    }
    return out.toByteArray();
  }

  private static List<String> values(Enumeration<String> values) {
    return values == null ? List.of() : Collections.list(values);
  }

  /** The request as a {@link dev.idempo.http.TenantSource} sees it, with the body already read. */
  private record ServletRequestView(HttpServletRequest request, byte[] bytes) implements IncomingRequest {
    @Override
    public String method() {
      return request.getMethod();
    }

    /** The context-relative path, as the servlet filter fingerprints it. */
    @Override
    public String path() {
      String servletPath = request.getServletPath();
      String pathInfo = request.getPathInfo();
      String path = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
      return path.isEmpty() ? "/" : path;
    }

    @Override
    public String query() {
      String query = request.getQueryString();
      return query == null ? "" : query;
    }

    @Override
    public List<String> headers(String name) {
      return values(request.getHeaders(name));
    }

    @Override
    public byte[] body(int limit) {
      if (bytes.length > limit) {
        throw new RequestBodyTooLargeException(limit, bytes.length);
      }
      return bytes;
    }
  }

  @Override
  public String toString() {
    return "IdempotentHandlerFilter[" + handlers + "]";
  }
}
