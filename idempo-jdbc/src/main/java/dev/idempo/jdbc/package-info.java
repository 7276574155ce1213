/**
 * Idempo on JDBC: a PostgreSQL or SQLite {@link dev.idempo.store.IdempotencyStore}, the
 * transactional mode, and the schema migrations behind both. Bring your own driver and {@link
 * javax.sql.DataSource} (a pool such as HikariCP for PostgreSQL).
 *
 * <h2>Leased mode: a store for {@link dev.idempo.Idempotency}</h2>
 *
 * <pre>{@code
 * JdbcIdempotencyStore store = JdbcIdempotencyStore.builder(dataSource)
 *     .tablePrefix("idempo_")              // the default; letters, digits, underscore
 *     .maxResponseBytes(1024 * 1024)       // the default
 *     .build();                            // detects the dialect, creates or upgrades the tables
 * Idempotency<String> payments = Idempotency.builder(store, ResultCodec.utf8()).build();
 * ExecutionResult<String> result =
 *     payments.execute(scope, key, fingerprint, context -> chargeCard(order));
 * }</pre>
 *
 * A claim is one {@code INSERT … ON CONFLICT DO UPDATE … WHERE} statement; completing, releasing,
 * renewing and checkpointing are single statements fenced by key, fence, state and liveness. On
 * PostgreSQL leases follow the server's clock; on SQLite (one process, WAL mode, a {@code
 * busy_timeout} on its connections) they follow {@link
 * dev.idempo.jdbc.JdbcIdempotencyStore.Builder#clock the injected clock}. Use READ COMMITTED
 * connections, PostgreSQL's default. Call {@link
 * dev.idempo.jdbc.JdbcIdempotencyStore#purgeExpired purgeExpired(1000)} on a schedule to delete
 * expired records in small batches; expired records behave as absent before that.
 *
 * <h2>Transactional mode: {@link dev.idempo.jdbc.JdbcIdempotency}</h2>
 *
 * When the effect lives in the same database, let the key's record, the business writes and the
 * result commit in one transaction: a crash anywhere rolls all of it back, and a retry runs
 * cleanly or replays.
 *
 * <pre>{@code
 * JdbcIdempotency transactional = JdbcIdempotency.builder(store).build();
 * TransactionalResult<String> result =
 *     transactional.execute(dataSource, scope, key, fingerprint, ResultCodec.utf8(),
 *         connection -> {
 *           try (PreparedStatement insert =
 *               connection.prepareStatement("INSERT INTO orders (id, amount) VALUES (?, ?)")) {
 *             insert.setString(1, orderId);
 *             insert.setLong(2, amount);
 *             insert.executeUpdate();
 *           }
 *           return orderId;
 *         });
 * if (result.isReplayed()) { ... } // an earlier run committed; the work did not run again
 * }</pre>
 *
 * Pass a {@link java.sql.Connection} with auto-commit off instead of the data source to join a
 * transaction you manage (Spring's {@code DataSourceUtils.getConnection}, say): {@code execute}
 * then adds two statements to it and never commits or rolls back. A concurrent duplicate waits for
 * the first transaction and replays its result; a key used with another request throws {@link
 * dev.idempo.FingerprintMismatchException}.
 *
 * <h2>Schema</h2>
 *
 * {@code build()} runs versioned, idempotent migrations ({@code CREATE … IF NOT EXISTS}, recorded
 * in {@code <prefix>schema_version}), safe from many processes at once; turn them off with {@link
 * dev.idempo.jdbc.JdbcIdempotencyStore.Builder#migrateSchema migrateSchema(false)} when the schema
 * is managed elsewhere. The tables: {@code <prefix>records} (times in epoch milliseconds) and, on
 * PostgreSQL, the sequence {@code <prefix>fence_seq}, on SQLite the one-row table {@code
 * <prefix>fence_counter} and two triggers advancing it. Data written by a newer version is refused
 * with {@link dev.idempo.jdbc.UnknownFormatVersionException}, never overwritten.
 *
 * <h2>Failures</h2>
 *
 * Any {@link java.sql.SQLException} — unreachable server, closed pool, dropped connection —
 * surfaces as {@link dev.idempo.store.StoreUnavailableException} carrying it, never as an absent
 * key.
 */
package dev.idempo.jdbc;
