/**
 * Idempo on JDBC: the PostgreSQL and SQLite {@link dev.idempo.jdbc.JdbcIdempotencyStore}, the
 * transactional mode {@link dev.idempo.jdbc.JdbcIdempotency} and the schema migrations behind them.
 * The JDBC driver is the application's choice.
 */
module dev.idempo.jdbc {
  requires transitive dev.idempo.core;
  requires transitive java.sql;

  exports dev.idempo.jdbc;
}
