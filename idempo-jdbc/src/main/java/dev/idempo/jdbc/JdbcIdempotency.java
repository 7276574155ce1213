package dev.idempo.jdbc;

import dev.idempo.FenceLostException;
import dev.idempo.Fingerprint;
import dev.idempo.FingerprintMismatchException;
import dev.idempo.IdempotencyKey;
import dev.idempo.KeyInFlightException;
import dev.idempo.ResultCodec;
import dev.idempo.Scope;
import dev.idempo.WorkFailedException;
import dev.idempo.store.RecordState;
import dev.idempo.store.StoreLimits;
import dev.idempo.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Transactional mode: the key's record, the work's writes and the stored result commit in ONE
 * database transaction, so a crash anywhere rolls all of it back and a retry runs cleanly. The
 * strongest mode when the effect lives in the same database as the records.
 *
 * <pre>{@code
 * JdbcIdempotency transactional = JdbcIdempotency.builder(store).build();
 * TransactionalResult<String> result =
 *     transactional.execute(dataSource, scope, key, fingerprint, ResultCodec.utf8(),
 *         connection -> insertOrder(connection, order));
 * }</pre>
 *
 * <p><b>How.</b> {@code execute} inserts the key's row ({@code INSERT … ON CONFLICT … RETURNING},
 * replacing an expired row), runs the work on the same connection, then stores the result in that
 * row: two statements in the caller's transaction, and no commit of its own when it joins one. A
 * concurrent duplicate's insert waits on the uncommitted row in the unique index (PostgreSQL; on
 * SQLite it waits for the write lock, up to the connection's {@code busy_timeout}); once the first
 * transaction commits the duplicate reads the stored result and replays it (its second statement is
 * that read), or if the first rolled back it runs the work itself. The duplicate's read locks the
 * completed row until its own transaction ends.
 *
 * <p><b>Transactions.</b> Given a {@link DataSource}, or a {@link Connection} in auto-commit mode,
 * {@code execute} runs its own transaction: it commits after the work and rolls back on any
 * exception, leaving no record. Given a connection with auto-commit off, it joins the caller's
 * transaction and never commits or rolls back: the caller does. If the work throws there, the key's
 * row is deleted again (if the transaction still accepts statements) so a caller that commits
 * anyway leaves no stuck record. Under REPEATABLE READ or SERIALIZABLE, PostgreSQL answers a
 * duplicate that raced a concurrent commit with a serialization failure (SQLState 40001), as for
 * any write conflict: retry the transaction.
 *
 * <p><b>Answers.</b> Returns the value and whether it was replayed; a key used with another
 * fingerprint throws {@link FingerprintMismatchException}; a key held by the leased mode ({@link
 * dev.idempo.Idempotency} on the same tables) throws {@link KeyInFlightException}. The stored bytes
 * use the leased executor's outcome layout, so either mode replays the other's records.
 *
 * <p>Thread-safe: one instance serves any number of threads, each with its own connection.
 */
public final class JdbcIdempotency {
  /** The default retention of a stored result: 24 hours. */
  public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);

  /** Attempts when the row found changes under us: it expired between insert and read. */
  private static final int MAX_ATTEMPTS = 3;

  /** PostgreSQL: "current transaction is aborted", so a clean-up statement cannot run. */
  private static final String TRANSACTION_ABORTED = "25P02";

  private final Dialect dialect;
  private final TableNames tables;
  private final RecordSql sql;
  private final InstantSource clock;
  private final int maxResponseBytes;
  private final Duration retention;

  private JdbcIdempotency(JdbcIdempotencyStore store, Duration retention) {
    this.dialect = store.dialect();
    this.tables = store.tables();
    this.sql = store.sql();
    this.clock = store.clock();
    this.maxResponseBytes = store.maxResponseBytes();
    this.retention = retention;
  }

  /**
   * A builder for transactional mode on the tables, dialect, clock and response cap of {@code
   * store} (build the store first: it creates the tables). The connections given to {@code execute}
   * must reach the same database.
   */
  public static Builder builder(JdbcIdempotencyStore store) {
    return new Builder(Objects.requireNonNull(store, "store must not be null"));
  }

  public Duration retention() {
    return retention;
  }

  /**
   * Runs {@code work} in a transaction of its own on a connection from {@code dataSource}, unless
   * an earlier run with the same scope and key committed, whose result is then returned.
   *
   * @throws FingerprintMismatchException if the key was used with another fingerprint
   * @throws KeyInFlightException if the leased mode holds the key
   * @throws IllegalArgumentException if the encoded result exceeds the store's {@code
   *     maxResponseBytes}; the transaction is rolled back
   * @throws WorkFailedException carrying a checked exception of the work (unchecked ones are
   *     rethrown as they are); the transaction is rolled back
   * @throws StoreUnavailableException carrying the {@link SQLException} if the database failed,
   *     including a failed commit, whose outcome is unknown: a retry replays or runs cleanly
   * @throws UnknownFormatVersionException if the key's record is in an unknown format
   */
  public <R> TransactionalResult<R> execute(
      DataSource dataSource,
      Scope scope,
      IdempotencyKey key,
      Fingerprint fingerprint,
      ResultCodec<R> codec,
      TransactionalWork<R> work) {
    Objects.requireNonNull(dataSource, "dataSource must not be null");
    checkArguments(scope, key, fingerprint, codec, work);
    Connection connection;
    try {
      connection = dataSource.getConnection();
    } catch (SQLException e) {
      throw unavailable("get a connection", e);
    }
    try {
      return inOwnTransaction(connection, scope, key, fingerprint, codec, work);
    } finally {
      try {
        connection.close();
      } catch (SQLException e) {
        // The transaction already ended; a failing close changes no outcome.
      }
    }
  }

  /**
   * Runs {@code work} on {@code connection}, unless an earlier run with the same scope and key
   * committed, whose result is then returned. With auto-commit on, {@code execute} runs its own
   * transaction and restores auto-commit afterwards; with auto-commit off it joins the caller's
   * transaction and neither commits nor rolls back. The connection stays open.
   *
   * @throws FingerprintMismatchException if the key was used with another fingerprint
   * @throws KeyInFlightException if the leased mode holds the key
   * @throws IllegalArgumentException if the encoded result exceeds the store's {@code
   *     maxResponseBytes}
   * @throws WorkFailedException carrying a checked exception of the work (unchecked ones are
   *     rethrown as they are)
   * @throws StoreUnavailableException carrying the {@link SQLException} if the database failed
   * @throws UnknownFormatVersionException if the key's record is in an unknown format
   */
  public <R> TransactionalResult<R> execute(
      Connection connection,
      Scope scope,
      IdempotencyKey key,
      Fingerprint fingerprint,
      ResultCodec<R> codec,
      TransactionalWork<R> work) {
    Objects.requireNonNull(connection, "connection must not be null");
    checkArguments(scope, key, fingerprint, codec, work);
    boolean autoCommit;
    try {
      autoCommit = connection.getAutoCommit();
    } catch (SQLException e) {
      throw unavailable("read the connection's auto-commit mode", e);
    }
    if (autoCommit) {
      return inOwnTransaction(connection, scope, key, fingerprint, codec, work);
    }
    return run(connection, false, scope, key, fingerprint, codec, work);
  }

  private static void checkArguments(
      Scope scope, IdempotencyKey key, Fingerprint fingerprint, ResultCodec<?> codec, Object work) {
    Objects.requireNonNull(scope, "scope must not be null");
    Objects.requireNonNull(key, "key must not be null");
    Objects.requireNonNull(fingerprint, "fingerprint must not be null");
    Objects.requireNonNull(codec, "codec must not be null");
    Objects.requireNonNull(work, "work must not be null");
  }

  private <R> TransactionalResult<R> inOwnTransaction(
      Connection connection,
      Scope scope,
      IdempotencyKey key,
      Fingerprint fingerprint,
      ResultCodec<R> codec,
      TransactionalWork<R> work) {
    boolean autoCommit;
    try {
      autoCommit = connection.getAutoCommit();
      if (autoCommit) {
        connection.setAutoCommit(false);
      } else {
        connection.rollback(); // a fresh pooled connection with auto-commit off: start clean
      }
    } catch (SQLException e) {
      throw unavailable("begin a transaction", e);
    }
    try {
      TransactionalResult<R> result = run(connection, true, scope, key, fingerprint, codec, work);
      try {
        connection.commit();
      } catch (SQLException e) {
        throw unavailable("commit (whether it did is unknown; a retry replays or runs cleanly)", e);
      }
      return result;
    } catch (RuntimeException | Error failure) {
      try {
        connection.rollback();
      } catch (SQLException e) {
        failure.addSuppressed(e);
      }
      throw failure;
    } finally {
      if (autoCommit) {
        try {
          connection.setAutoCommit(true);
        } catch (SQLException e) {
          // The transaction ended above; a connection that cannot switch back is broken anyway.
        }
      }
    }
  }

  private <R> TransactionalResult<R> run(
      Connection connection,
      boolean ownTransaction,
      Scope scope,
      IdempotencyKey key,
      Fingerprint fingerprint,
      ResultCodec<R> codec,
      TransactionalWork<R> work) {
    byte[] storageKey = scope.storageKey(key).toBytes();
    long retentionMillis = retention.toMillis();
    Map<String, Object> values =
        Map.of(
            "key", storageKey,
            "fingerprint", fingerprint.toBytes(),
            "lease_ms", retentionMillis,
            "live_ms", retentionMillis,
            "retention_ms", retentionMillis);
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      Optional<StoredRow> found;
      try {
        Optional<Long> fence = begin(connection, values);
        if (fence.isPresent()) {
          return runWork(connection, ownTransaction, storageKey, fence.get(), codec, work);
        }
        found = StoredRow.read(connection, sql, clock, storageKey, tables.records());
      } catch (SQLException e) {
        throw unavailable("claim the key", e);
      }
      if (found.isPresent() && found.get().liveMillis() > 0) {
        return answer(found.get(), fingerprint, codec);
      }
    }
    throw new StoreUnavailableException(
        "the key's record kept changing between the insert and the read ("
            + MAX_ATTEMPTS
            + " attempts)",
        null);
  }

  private Optional<Long> begin(Connection connection, Map<String, Object> values)
      throws SQLException {
    try (PreparedStatement insert = sql.begin.prepare(connection, clock, values);
        ResultSet inserted = insert.executeQuery()) {
      return inserted.next() ? Optional.of(inserted.getLong("fence")) : Optional.empty();
    }
  }

  private static <R> TransactionalResult<R> answer(
      StoredRow row, Fingerprint fingerprint, ResultCodec<R> codec) {
    if (!row.fingerprint().equals(fingerprint)) {
      throw new FingerprintMismatchException();
    }
    if (row.state() == RecordState.IN_PROGRESS) {
      throw new KeyInFlightException(Duration.ofMillis(Math.max(0, row.leaseMillis())));
    }
    return TransactionalResult.replayed(
        codec.decode(dev.idempo.internal.StoredOutcome.decode(row.response()).valueOrThrow()));
  }

  private <R> TransactionalResult<R> runWork(
      Connection connection,
      boolean ownTransaction,
      byte[] storageKey,
      long fence,
      ResultCodec<R> codec,
      TransactionalWork<R> work) {
    R value;
    byte[] stored;
    try {
      value = work.run(connection);
      stored = dev.idempo.internal.StoredOutcome.encodeValue(codec.encode(value));
      JdbcIdempotencyStore.checkResponseSize(stored.length, maxResponseBytes);
    } catch (Throwable failure) {
      if (!ownTransaction) {
        abandon(connection, storageKey, fence, failure);
      }
      throw unchecked(failure);
    }
    try (PreparedStatement finish =
        sql.finish.prepare(
            connection, clock, Map.of("key", storageKey, "fence", fence, "response", stored))) {
      if (finish.executeUpdate() != 1) {
        throw new FenceLostException(
            "the key's row vanished from " + tables.records() + " inside this transaction");
      }
    } catch (SQLException e) {
      throw unavailable("store the result", e);
    }
    return TransactionalResult.executed(value);
  }

  /** In a joined transaction after the work failed: delete the key's row again, if possible. */
  private void abandon(Connection connection, byte[] storageKey, long fence, Throwable failure) {
    Map<String, Object> values = Map.of("key", storageKey, "fence", fence);
    try (PreparedStatement delete = sql.abandonTransactional.prepare(connection, clock, values)) {
      delete.executeUpdate();
    } catch (SQLException e) {
      if (!TRANSACTION_ABORTED.equals(e.getSQLState())) {
        failure.addSuppressed(e);
      }
    }
  }

  private static RuntimeException unchecked(Throwable failure) {
    if (failure instanceof RuntimeException runtimeException) {
      return runtimeException;
    }
    if (failure instanceof Error error) {
      throw error;
    }
    if (failure instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return new WorkFailedException(failure);
  }

  private StoreUnavailableException unavailable(String operation, SQLException e) {
    return JdbcIdempotencyStore.unavailable(dialect + " transactional mode", operation, e);
  }

  /** Configures a {@link JdbcIdempotency}. Not thread-safe. */
  public static final class Builder {
    private final JdbcIdempotencyStore store;
    private Duration retention = DEFAULT_RETENTION;

    private Builder(JdbcIdempotencyStore store) {
      this.store = store;
    }

    /**
     * How long a committed result is replayed, from its commit; {@link StoreLimits#MIN_RETENTION}
     * to {@link StoreLimits#MAX_RETENTION}, 24 hours by default.
     */
    public Builder retention(Duration retention) {
      this.retention = StoreLimits.checkRetention(retention);
      return this;
    }

    public JdbcIdempotency build() {
      return new JdbcIdempotency(store, retention);
    }
  }
}
