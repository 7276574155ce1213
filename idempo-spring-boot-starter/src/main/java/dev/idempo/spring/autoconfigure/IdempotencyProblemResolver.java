package dev.idempo.spring.autoconfigure;

import dev.idempo.servlet.CapturedResponseWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Sends the problem of an {@link IdempotencyProblemException} as it is ({@code
 * application/problem+json}), before any {@code @ExceptionHandler} could turn it into something
 * else. Stateless.
 */
final class IdempotencyProblemResolver implements HandlerExceptionResolver, Ordered {
  @Override
  public ModelAndView resolveException(
      HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
    if (!(ex instanceof IdempotencyProblemException problem)) {
      return null;
    }
    try {
      CapturedResponseWriter.write(problem.problem(), response);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ModelAndView();
  }

  /** Just after Spring Boot's error attributes, before the handler's own exception handling. */
  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE + 10;
  }
}
