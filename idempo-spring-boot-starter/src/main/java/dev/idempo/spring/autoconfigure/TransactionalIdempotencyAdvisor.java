package dev.idempo.spring.autoconfigure;

import dev.idempo.spring.Idempotent;
import java.lang.reflect.Method;
import org.aopalliance.aop.Advice;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

/**
 * Puts {@link TransactionalIdempotencyInterceptor} around {@code @Idempotent(transactional = true)}
 * methods (a method-level annotation wins over the class's), just outside Spring's transaction
 * advice ({@code Ordered.LOWEST_PRECEDENCE - 1}; {@code @EnableTransactionManagement} defaults to
 * {@code LOWEST_PRECEDENCE}).
 */
final class TransactionalIdempotencyAdvisor extends AbstractPointcutAdvisor {
  private static final long serialVersionUID = 1L;

  /** The advice's order: just outside Spring's default transaction advice. */
  static final int ORDER = Ordered.LOWEST_PRECEDENCE - 1;

  private final transient Advice advice;

  TransactionalIdempotencyAdvisor(Advice advice) {
    this.advice = advice;
    setOrder(ORDER);
  }

  @Override
  public Pointcut getPointcut() {
    return TransactionalHandlers.INSTANCE;
  }

  @Override
  public Advice getAdvice() {
    return advice;
  }

  /** Matches the methods a transactional {@code @Idempotent} covers. */
  private static final class TransactionalHandlers extends StaticMethodMatcherPointcut {
    static final TransactionalHandlers INSTANCE = new TransactionalHandlers();

    @Override
    public boolean matches(Method method, Class<?> targetClass) {
      if (method.getDeclaringClass() == Object.class) {
        return false;
      }
      Class<?> userClass = ClassUtils.getUserClass(targetClass);
      Method specific = AopUtils.getMostSpecificMethod(method, userClass);
      Idempotent onMethod = AnnotatedElementUtils.findMergedAnnotation(specific, Idempotent.class);
      if (onMethod != null) {
        return onMethod.transactional();
      }
      Idempotent onType = AnnotatedElementUtils.findMergedAnnotation(userClass, Idempotent.class);
      return onType != null && onType.transactional();
    }
  }
}
