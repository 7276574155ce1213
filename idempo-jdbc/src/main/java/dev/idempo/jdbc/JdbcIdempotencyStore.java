package dev.idempo.jdbc;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.ClaimToken;
import dev.idempo.store.IdempotencyRecord;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.RecordState;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoreLimits;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * An {@link IdempotencyStore} in a PostgreSQL or SQLite database reached through a {@link
 * DataSource}; see the package documentation for a walk-through.
 *
 * <pre>{@code
 * JdbcIdempotencyStore store = JdbcIdempotencyStore.builder(dataSource).build();
 * }</pre>
 *
 * <p><b>Atomicity.</b> A claim is one {@code INSERT … ON CONFLICT DO UPDATE … WHERE} statement: the
 * database's unique index and row lock decide a race, never a read followed by a write. When the
 * statement takes nothing (a live record is there), a read of that row answers {@code Replay},
 * {@code InFlight} or {@code Mismatch}; should the row change in between so that it could be
 * claimed after all, the claim simply runs again. {@code complete}, {@code release}, {@code renew}
 * and {@code checkpoint} are each one statement whose {@code WHERE} names the key, the fence, the
 * IN_PROGRESS state and liveness, so they are never unfenced; {@code abandon} names the claim token
 * (a column since schema version 2) in place of the fence.
 *
 * <p><b>Fences</b> come from one source per table prefix, so they grow across release and expiry: a
 * sequence on PostgreSQL; on SQLite a counter row a trigger advances inside the claiming statement.
 * (On PostgreSQL a fresh insert draws its fence just before its row reaches the index, so two
 * claims of one key racing with a release in between may get fences out of draw order; fences are
 * unique either way, and a stale fence never matches.)
 *
 * <p><b>Time.</b> On PostgreSQL leases and expiry follow the server's clock, read with {@code
 * clock_timestamp()} inside each statement (not the transaction-start {@code now()}); a {@link
 * Builder#clock clock} is refused there. On SQLite, meant for one process, they follow the injected
 * {@link InstantSource} (the system clock by default), and this store serializes its own writes so
 * they never spin on SQLite's lock; give SQLite connections a {@code busy_timeout} and WAL mode for
 * the writers it cannot serialize (other stores, transactional mode).
 *
 * <p><b>Group commit.</b> On SQLite by default (see {@link Builder#groupCommit}), concurrent writes
 * share one transaction and one commit; each keeps its own statement, savepoint and answer, and
 * none is answered before its commit. See the package documentation for what it does on a failure
 * and for the durability settings ({@code synchronous}, {@code fsync}) that decide what a power cut
 * may lose.
 *
 * <p><b>Failures.</b> Every {@link SQLException} — unreachable server, closed pool, dropped
 * connection, timeout — surfaces as {@link StoreUnavailableException} carrying it; the effect of
 * that call is unknown, and a claim whose answer was lost leaves at most one IN_PROGRESS record
 * that no caller holds: its claimer removes it with {@link #abandon} and the claim's token, or else
 * it is taken over once its lease ends. A record in an unknown {@code format_version} throws {@link
 * UnknownFormatVersionException}.
 *
 * <p>Thread-safe. The store does not own the {@link DataSource}: {@link #close()} leaves it open.
 */
public final class JdbcIdempotencyStore implements IdempotencyStore {
  /** The default cap on a stored response: 1 MiB. */
  public static final int DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

  /** The largest cap on a stored response: 256 MiB. */
  public static final int MAX_RESPONSE_BYTES_LIMIT = 256 * 1024 * 1024;

  /**
   * How often a claim runs again when the row it found changed under it; never reached in practice.
   */
  private static final int MAX_CLAIM_ATTEMPTS = 100;

  private final DataSource dataSource;
  private final Dialect dialect;
  private final TableNames tables;
  private final InstantSource clock;
  private final int maxResponseBytes;
  private final RecordSql sql;
  private final ReentrantLock sqliteWrites;
  private final GroupCommit groupCommit; // null: every write commits by itself

  private JdbcIdempotencyStore(Builder builder, Dialect dialect, InstantSource clock) {
    this.dataSource = builder.dataSource;
    this.dialect = dialect;
    this.tables = builder.tables;
    this.clock = dialect.usesServerClock() ? null : clock;
    this.maxResponseBytes = builder.maxResponseBytes;
    this.sql = new RecordSql(dialect, tables);
    boolean grouped =
        builder.groupCommit != null ? builder.groupCommit : dialect.groupCommitsByDefault();
    this.groupCommit =
        grouped
            ? new GroupCommit(
                dataSource, dialect.toString(), builder.groupCommitMaxBatch, builder.beforeBatch)
            : null;
    this.sqliteWrites = dialect == Dialect.SQLITE && !grouped ? new ReentrantLock() : null;
  }

  /**
   * A builder for a store on {@code dataSource}.
   *
   * @throws NullPointerException if {@code dataSource} is null
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource must not be null"));
  }

  /** The dialect in use, given or detected. */
  public Dialect dialect() {
    return dialect;
  }

  /** The prefix of this store's table names. */
  public String tablePrefix() {
    return tables.prefix();
  }

  /** The largest response {@link #complete} accepts, in bytes. */
  public int maxResponseBytes() {
    return maxResponseBytes;
  }

  /** Whether concurrent writes share transactions; see {@link Builder#groupCommit}. */
  public boolean groupCommits() {
    return groupCommit != null;
  }

  @Override
  public ClaimResult claim(
      StorageKey key,
      Fingerprint fingerprint,
      Duration lease,
      Duration retention,
      ClaimToken token) {
    StoreLimits.checkClaim(key, fingerprint, lease, retention, token);
    byte[] keyBytes = key.toBytes();
    Map<String, Object> values =
        Map.of(
            "key", keyBytes,
            "fingerprint", fingerprint.toBytes(),
            "token", token.toBytes(),
            "lease_ms", lease.toMillis(),
            "live_ms", Math.max(lease.toMillis(), retention.toMillis()),
            "retention_ms", retention.toMillis());
    return write(
        "claim",
        connection -> {
          for (int attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
            try (PreparedStatement claim = sql.claim.prepare(connection, clock, values);
                ResultSet acquired = claim.executeQuery()) {
              if (acquired.next()) {
                return acquired(acquired);
              }
            }
            Optional<ClaimResult> answer =
                StoredRow.read(connection, sql, clock, keyBytes, tables.records())
                    .flatMap(row -> row.claimAnswer(fingerprint));
            if (answer.isPresent()) {
              return answer.get();
            }
          }
          throw new StoreUnavailableException(
              "claim did not settle after "
                  + MAX_CLAIM_ATTEMPTS
                  + " attempts: the record kept changing between the claim and the read",
              null);
        });
  }

  private static ClaimResult acquired(ResultSet row) throws SQLException {
    long fence = row.getLong("fence");
    boolean takeover = row.getInt("takeovers") > 0;
    String name = row.getString("recovery_name");
    byte[] state = row.getBytes("recovery_state");
    Optional<RecoveryPoint> point =
        takeover && name != null
            ? Optional.of(RecoveryPoint.of(name, state == null ? new byte[0] : state))
            : Optional.empty();
    return new ClaimResult.Acquired(fence, takeover, point);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code response} is larger than {@link
   *     #maxResponseBytes()}; nothing is written
   */
  @Override
  public UpdateResult complete(StorageKey key, long fence, StoredResponse response) {
    StoreLimits.checkFenced(key, fence);
    Objects.requireNonNull(response, "response must not be null");
    checkResponseSize(response.size(), maxResponseBytes);
    return fenced("complete", sql.complete, key, fence, Map.of("response", response.toBytes()));
  }

  @Override
  public UpdateResult release(StorageKey key, long fence) {
    StoreLimits.checkFenced(key, fence);
    return fenced("release", sql.release, key, fence, Map.of());
  }

  /** One {@code DELETE} naming the key, the claim token, the IN_PROGRESS state and liveness. */
  @Override
  public UpdateResult abandon(StorageKey key, ClaimToken token) {
    StoreLimits.checkAbandon(key, token);
    Map<String, Object> values = Map.of("key", key.toBytes(), "token", token.toBytes());
    return write(
        "abandon",
        connection -> {
          try (PreparedStatement delete = sql.abandon.prepare(connection, clock, values)) {
            return delete.executeUpdate() == 1 ? UpdateResult.APPLIED : UpdateResult.FENCE_LOST;
          }
        });
  }

  @Override
  public UpdateResult renew(StorageKey key, long fence, Duration lease) {
    StoreLimits.checkFenced(key, fence);
    StoreLimits.checkLease(lease);
    return fenced("renew", sql.renew, key, fence, Map.of("lease_ms", lease.toMillis()));
  }

  @Override
  public UpdateResult checkpoint(StorageKey key, long fence, RecoveryPoint point) {
    StoreLimits.checkFenced(key, fence);
    Objects.requireNonNull(point, "point must not be null");
    return fenced(
        "checkpoint",
        sql.checkpoint,
        key,
        fence,
        Map.of("name", point.name(), "state", point.state()));
  }

  private UpdateResult fenced(
      String operation, SqlTemplate statement, StorageKey key, long fence, Map<String, ?> more) {
    Map<String, Object> values = new HashMap<>(more);
    values.put("key", key.toBytes());
    values.put("fence", fence);
    return write(
        operation,
        connection -> {
          try (PreparedStatement update = statement.prepare(connection, clock, values)) {
            return update.executeUpdate() == 1 ? UpdateResult.APPLIED : UpdateResult.FENCE_LOST;
          }
        });
  }

  @Override
  public Optional<IdempotencyRecord> find(StorageKey key) {
    Objects.requireNonNull(key, "key must not be null");
    return run(
        "find",
        connection -> {
          try (PreparedStatement select =
                  sql.find.prepare(connection, clock, Map.of("key", key.toBytes()));
              ResultSet row = select.executeQuery()) {
            return row.next() ? Optional.of(toRecord(row)) : Optional.empty();
          }
        });
  }

  private IdempotencyRecord toRecord(ResultSet row) throws SQLException {
    StoredRow.checkFormat(row.getInt("format_version"), tables.records());
    byte[] response = row.getBytes("response");
    String recoveryName = row.getString("recovery_name");
    byte[] recoveryState = row.getBytes("recovery_state");
    return new IdempotencyRecord(
        RecordState.valueOf(row.getString("state")),
        Fingerprint.fromBytes(row.getBytes("fingerprint")),
        row.getLong("fence"),
        Instant.ofEpochMilli(row.getLong("lease_expires_at")),
        Instant.ofEpochMilli(row.getLong("expires_at")),
        Optional.ofNullable(response).map(StoredResponse::of),
        Optional.ofNullable(recoveryName)
            .map(
                name ->
                    RecoveryPoint.of(name, recoveryState == null ? new byte[0] : recoveryState)));
  }

  /**
   * {@inheritDoc}
   *
   * <p>One {@code DELETE … WHERE ctid IN (SELECT ctid … LIMIT ? FOR UPDATE SKIP LOCKED)} on
   * PostgreSQL ({@code rowid} on SQLite), on the expiry index.
   */
  @Override
  public int purgeExpired(int limit) {
    StoreLimits.checkPurgeLimit(limit);
    return write(
        "purge expired records",
        connection -> {
          try (PreparedStatement delete =
              sql.purgeExpired.prepare(connection, clock, Map.of("limit", limit))) {
            return delete.executeUpdate();
          }
        });
  }

  /**
   * With group commit, refuses new writes and runs the ones already queued before returning (their
   * callers get their answers as usual); later calls throw {@link StoreUnavailableException}.
   * Leaves the {@link DataSource} open: the application owns it.
   */
  @Override
  public void close() {
    if (groupCommit != null) {
      groupCommit.close();
    }
  }

  @Override
  public String toString() {
    return "JdbcIdempotencyStore[" + dialect + ", " + tables.records() + "]";
  }

  // ------------------------------------------------------------------ shared with JdbcIdempotency

  RecordSql sql() {
    return sql;
  }

  TableNames tables() {
    return tables;
  }

  /** The injected clock on SQLite; null on PostgreSQL, whose SQL reads the server's. */
  InstantSource clock() {
    return clock;
  }

  static void checkResponseSize(int size, int maxResponseBytes) {
    if (size > maxResponseBytes) {
      throw new IllegalArgumentException(
          "response of "
              + size
              + " bytes exceeds maxResponseBytes ("
              + maxResponseBytes
              + "); nothing was stored");
    }
  }

  static StoreUnavailableException unavailable(String database, String operation, SQLException e) {
    return new StoreUnavailableException(
        database
            + " idempotency store could not "
            + operation
            + ": "
            + e.getMessage()
            + " (SQLState "
            + e.getSQLState()
            + ")",
        e);
  }

  // ------------------------------------------------------------------------------- connections

  @FunctionalInterface
  private interface ConnectionWork<T> {
    T run(Connection connection) throws SQLException;
  }

  /** The group commit in use, or null; for tests. */
  GroupCommit groupCommit() {
    return groupCommit;
  }

  private <T> T write(String operation, ConnectionWork<T> work) {
    if (groupCommit != null) {
      return groupCommit.run(operation, work::run);
    }
    if (sqliteWrites == null) {
      return run(operation, work);
    }
    sqliteWrites.lock();
    try {
      return run(operation, work);
    } finally {
      sqliteWrites.unlock();
    }
  }

  /** Runs {@code work} on a connection in auto-commit mode: every statement commits by itself. */
  private <T> T run(String operation, ConnectionWork<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      if (connection.getAutoCommit()) {
        return work.run(connection);
      }
      connection.setAutoCommit(true);
      try {
        return work.run(connection);
      } finally {
        connection.setAutoCommit(false);
      }
    } catch (SQLException e) {
      throw unavailable(dialect.toString(), operation, e);
    }
  }

  /**
   * Configures a {@link JdbcIdempotencyStore}. Not thread-safe; {@link #build()} copies the
   * settings, so a built store never changes.
   */
  public static final class Builder {
    private final DataSource dataSource;
    private Dialect dialect;
    private TableNames tables = new TableNames(TableNames.DEFAULT_PREFIX);
    private InstantSource clock;
    private int maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    private boolean migrateSchema = true;
    private Boolean groupCommit; // null: the dialect's default
    private int groupCommitMaxBatch = GroupCommit.DEFAULT_MAX_BATCH;
    private Runnable beforeBatch = () -> {};

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /** The database's dialect; detected from the connection's metadata by default. */
    public Builder dialect(Dialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect must not be null");
      return this;
    }

    /**
     * The prefix of the table names ({@code <prefix>records}, {@code <prefix>schema_version}, …): a
     * letter or underscore, then letters, digits and underscores, 1 to 40 characters; {@code
     * "idempo_"} by default.
     *
     * @throws IllegalArgumentException naming the prefix if it breaks these rules
     */
    public Builder tablePrefix(String tablePrefix) {
      this.tables = new TableNames(tablePrefix);
      return this;
    }

    /**
     * The clock for leases and expiry on SQLite; the system clock by default. PostgreSQL follows
     * the server's clock, so {@link #build()} refuses a clock there.
     */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /**
     * The largest response {@code complete} stores, 1 byte to 256 MiB; 1 MiB by default. Larger
     * responses are refused with {@link IllegalArgumentException} before anything is written.
     */
    public Builder maxResponseBytes(int maxResponseBytes) {
      if (maxResponseBytes < 1 || maxResponseBytes > MAX_RESPONSE_BYTES_LIMIT) {
        throw new IllegalArgumentException(
            "maxResponseBytes must be between 1 and "
                + MAX_RESPONSE_BYTES_LIMIT
                + ", was "
                + maxResponseBytes);
      }
      this.maxResponseBytes = maxResponseBytes;
      return this;
    }

    /**
     * Whether {@link #build()} creates or upgrades the tables (true by default). Turn it off when
     * the schema is managed elsewhere; migrations are idempotent and safe to run from many
     * processes at once either way.
     */
    public Builder migrateSchema(boolean migrateSchema) {
      this.migrateSchema = migrateSchema;
      return this;
    }

    /**
     * Whether concurrent writes ({@code claim}, {@code complete}, {@code release}, {@code abandon},
     * {@code renew}, {@code checkpoint}, {@code purgeExpired}) share one transaction and one
     * commit. On by default for SQLite, off for PostgreSQL: see the package documentation for the
     * measurements behind both defaults.
     *
     * <p>With group commit, a caller's write joins a queue; one caller at a time leads: it takes
     * what queued up while the previous transaction ran (at most {@link #groupCommitMaxBatch}
     * operations, no waiting when the queue is empty), runs each operation in a savepoint of one
     * transaction on one connection, commits, and then every caller gets its own answer. Each
     * operation keeps its exact semantics; one whose statement fails is rolled back to its
     * savepoint and fails alone. A failed commit fails the whole batch with {@link
     * StoreUnavailableException} (outcome unknown). A lone write runs in auto-commit mode as
     * without group commit. Nothing is answered before its commit.
     */
    public Builder groupCommit(boolean groupCommit) {
      this.groupCommit = groupCommit;
      return this;
    }

    /**
     * The most operations one group commit carries, 1 to 10,000; {@value
     * GroupCommit#DEFAULT_MAX_BATCH} by default. Bounds how long one transaction holds the
     * database's write lock.
     *
     * @throws IllegalArgumentException naming the value if it is out of range
     */
    public Builder groupCommitMaxBatch(int maxBatch) {
      if (maxBatch < 1 || maxBatch > 10_000) {
        throw new IllegalArgumentException(
            "groupCommitMaxBatch must be between 1 and 10000, was " + maxBatch);
      }
      this.groupCommitMaxBatch = maxBatch;
      return this;
    }

    /** Tests: runs in the leading caller before it takes each batch from the queue. */
    Builder beforeBatch(Runnable beforeBatch) {
      this.beforeBatch = Objects.requireNonNull(beforeBatch);
      return this;
    }

    /**
     * Builds the store: detects the dialect unless given, and migrates the schema unless told not
     * to, on one connection.
     *
     * @throws IllegalArgumentException if the database is neither PostgreSQL nor SQLite
     * @throws IllegalStateException if a clock was set for PostgreSQL, or the database is too old
     * @throws UnknownFormatVersionException if the schema is newer than this version knows
     * @throws StoreUnavailableException if the database cannot be reached
     */
    public JdbcIdempotencyStore build() {
      Dialect chosen = dialect == null || migrateSchema ? prepareDatabase() : dialect;
      checkClock(chosen);
      return new JdbcIdempotencyStore(this, chosen, clock != null ? clock : InstantSource.system());
    }

    private void checkClock(Dialect chosen) {
      if (chosen.usesServerClock() && clock != null) {
        throw new IllegalStateException(
            "clock is for SQLite only: PostgreSQL leases follow the database server's clock");
      }
    }

    /** Detects the dialect unless given, checks the version and migrates, on one connection. */
    private Dialect prepareDatabase() {
      String operation = "detect the database";
      try (Connection connection = dataSource.getConnection()) {
        DatabaseMetaData metadata = connection.getMetaData();
        Dialect chosen = dialect != null ? dialect : Dialect.detect(metadata);
        chosen.checkVersion(metadata);
        checkClock(chosen);
        if (migrateSchema) {
          operation = "migrate the schema of " + tables.records();
          SchemaMigrations.migrate(
              connection, chosen, tables, clock != null ? clock : InstantSource.system());
        }
        return chosen;
      } catch (SQLException e) {
        throw unavailable(dialect != null ? dialect.toString() : "JDBC", operation, e);
      }
    }
  }
}
