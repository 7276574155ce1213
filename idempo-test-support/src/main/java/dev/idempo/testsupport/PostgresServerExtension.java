package dev.idempo.testsupport;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link PostgresServer} parameters of test constructors, methods and lifecycle methods to
 * {@link PostgresServer#shared()}: {@code @ExtendWith(PostgresServerExtension.class)}. Stateless,
 * thread-safe.
 */
public final class PostgresServerExtension implements ParameterResolver {
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == PostgresServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return PostgresServer.shared();
  }
}
