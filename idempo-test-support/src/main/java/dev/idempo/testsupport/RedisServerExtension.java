package dev.idempo.testsupport;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link RedisServer} parameters of test constructors, methods and lifecycle methods to
 * {@link RedisServer#shared()}: {@code @ExtendWith(RedisServerExtension.class)}. Stateless,
 * thread-safe.
 */
public final class RedisServerExtension implements ParameterResolver {
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RedisServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return RedisServer.shared();
  }
}
