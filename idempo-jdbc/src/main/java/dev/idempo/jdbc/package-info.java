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
 * connections, PostgreSQL's default. Call {@link dev.idempo.jdbc.JdbcIdempotencyStore#purgeExpired
 * purgeExpired(1000)} on a schedule to delete expired records in small batches; expired records
 * behave as absent before that.
 *
 * <h2>Group commit</h2>
 *
 * On SQLite, which has one writer, concurrent writes share transactions by default: a caller's
 * claim, complete, release, abandon, renew, checkpoint or purge joins a queue, one caller at a time
 * leads and runs what queued up while the previous transaction ran (at most {@link
 * dev.idempo.jdbc.JdbcIdempotencyStore.Builder#groupCommitMaxBatch 64} operations; no timer, so a
 * lone write never waits), each operation in a savepoint of one transaction, commits once and then
 * answers every caller with its own result. An operation whose statement fails is rolled back to
 * its savepoint and fails alone; a failed commit fails every operation of the batch with {@link
 * dev.idempo.store.StoreUnavailableException} (outcome unknown: the database may have committed
 * before the error reached the store); a batch that never reached its commit wrote nothing. Nothing
 * is answered before its commit returned, so group commit loses nothing a commit per write would
 * keep. It pays because a commit is the expensive part of a SQLite write (a WAL append, and with
 * {@code synchronous=FULL} an fsync): at 16 concurrent callers the store runs several times as many
 * first runs per second with it (see {@code docs/benchmarks.md}). On PostgreSQL it is off by
 * default: connections commit in parallel there and one WAL flush already serves every commit
 * waiting for it, so funnelling writes through one connection costs more than the commits it saves
 * (measured in {@code docs/benchmarks.md}). {@link
 * dev.idempo.jdbc.JdbcIdempotencyStore.Builder#groupCommit groupCommit(boolean)} overrides either
 * default.
 *
 * <h2>Durability: what a power cut may lose</h2>
 *
 * A record the store acknowledged must survive whatever the deployment must survive: a claim record
 * lost after a power cut lets a retry claim the key again and run the work a second time; a lost
 * completed record does the same. The store does not choose the database's durability; the settings
 * that do:
 *
 * <ul>
 *   <li><b>SQLite in WAL mode</b>, the {@code synchronous} pragma of the connections: {@code FULL}
 *       syncs the WAL at every commit, so an acknowledged record survives a power cut or an OS
 *       crash. {@code NORMAL} syncs only at checkpoints: a process crash loses nothing, but a power
 *       cut or an OS crash may roll back the commits since the last checkpoint, acknowledged claims
 *       and completions included, and so allows a second execution. {@code OFF} risks more still.
 *       The gateway opens SQLite with {@code synchronous=FULL} (it used {@code NORMAL} before group
 *       commit made {@code FULL} affordable). With your own data source, set {@code FULL} unless a
 *       duplicate after a power cut is acceptable.
 *   <li><b>PostgreSQL</b>: {@code fsync=on} and {@code synchronous_commit=on}, both the server's
 *       defaults, acknowledge a commit after its WAL reached the disk. {@code
 *       synchronous_commit=off} may lose the last few hundred milliseconds of acknowledged commits
 *       in a server crash (a second execution for each lost claim or completion; the database stays
 *       consistent); {@code fsync=off} may corrupt the database in an OS crash or power cut. With
 *       replicas, only a synchronous standby ({@code synchronous_standby_names}) keeps acknowledged
 *       records across a failover.
 * </ul>
 *
 * Both also need a disk that honours fsync (a write cache with power-loss protection, or none).
 *
 * <h2>Transactional mode: {@link dev.idempo.jdbc.JdbcIdempotency}</h2>
 *
 * When the effect lives in the same database, let the key's record, the business writes and the
 * result commit in one transaction: a crash anywhere rolls all of it back, and a retry runs cleanly
 * or replays.
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
