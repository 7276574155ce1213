package dev.idempo.testsupport;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link RedisCluster} parameters of test constructors, methods and lifecycle methods to
 * {@link RedisCluster#shared()}: {@code @ExtendWith(RedisClusterExtension.class)}. Tests that kill
 * nodes start a cluster of their own instead. Stateless, thread-safe.
 */
public final class RedisClusterExtension implements ParameterResolver {
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RedisCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return RedisCluster.shared();
  }
}
