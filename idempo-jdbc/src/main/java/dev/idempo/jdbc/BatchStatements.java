package dev.idempo.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The connection of one group commit, as its operations see it: each distinct SQL text is prepared
 * once per batch and reused by every operation of the batch (SQLite compiles the claim with its
 * triggers on every prepare, a fifth of a batch's time). Closing a statement handed out here only
 * clears its parameters; {@link #close()} closes them all when the batch ends. Not thread-safe: the
 * leader of the batch alone uses it.
 */
final class BatchStatements implements AutoCloseable {
  private final Connection connection;
  private final Map<String, PreparedStatement> prepared = new HashMap<>();
  private final Connection view;

  BatchStatements(Connection connection) {
    this.connection = connection;
    this.view =
        (Connection)
            Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, this::call);
  }

  /** The connection to give the operations. */
  Connection connection() {
    return view;
  }

  private Object call(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getName().equals("prepareStatement") && args != null && args.length == 1) {
      return reusable((String) args[0]);
    }
    if (method.getName().equals("close")) {
      return null; // the batch closes the connection
    }
    return invoke(connection, method, args);
  }

  private PreparedStatement reusable(String sql) throws SQLException {
    PreparedStatement statement = prepared.get(sql);
    if (statement == null) {
      statement = connection.prepareStatement(sql);
      prepared.put(sql, statement);
    }
    PreparedStatement shared = statement;
    return (PreparedStatement)
        Proxy.newProxyInstance(
            PreparedStatement.class.getClassLoader(),
            new Class<?>[] {PreparedStatement.class},
            (proxy, method, args) -> {
              if (method.getName().equals("close")) {
                shared.clearParameters();
                return null;
              }
              return invoke(shared, method, args);
            });
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Closes every statement prepared for the batch. */
  @Override
  public void close() throws SQLException {
    SQLException failure = null;
    for (PreparedStatement statement : prepared.values()) {
      try {
        statement.close();
      } catch (SQLException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    prepared.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
