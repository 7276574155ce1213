package dev.idempo.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.StorageKey;
import dev.idempo.testsupport.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * SQLite or PostgreSQL behind {@link JdbcIdempotencyStore}, set up as the gateway sets them up, and
 * filled by copying a template row: the store writes one record through its API, and every loaded
 * row is that row's columns (whatever the schema version has) with its own key and expiry. SQLite
 * gets batched inserts of {@value #SQLITE_TRANSACTION} rows a transaction on a connection of its
 * own (the insert trigger keeps the fence counter as the store keeps it); PostgreSQL generates the
 * rows server-side ({@code INSERT … SELECT} over {@code generate_series}, keys from {@code
 * sha256(int8send(i))}), then runs {@code VACUUM ANALYZE} as autovacuum would. Not thread-safe.
 */
final class JdbcLoadedStore implements LoadedStore {
  private static final String TABLE = "idempo_records";
  private static final int SQLITE_TRANSACTION = 100_000;
  private static final int POSTGRES_STATEMENT = 1_000_000;

  private final String name;
  private final HikariDataSource pool;
  private final JdbcIdempotencyStore store;
  private final Path sqliteFile;
  private final PostgresServer postgres;
  private final List<String> columns;
  private final List<Object> template;
  private final byte[] templateKey;

  private JdbcLoadedStore(String name, HikariDataSource pool, Path sqliteFile, PostgresServer pg)
      throws SQLException {
    this.name = name;
    this.pool = pool;
    this.sqliteFile = sqliteFile;
    this.postgres = pg;
    this.store = JdbcIdempotencyStore.builder(pool).build();
    // The template: a record written by the store itself, under a key no loaded record has.
    StorageKey key = StorageKey.of(new byte[StorageKey.LENGTH]);
    ClaimResult claim = store.claim(key, FINGERPRINT, Duration.ofSeconds(30), LIVE_RETENTION);
    store.complete(key, ((ClaimResult.Acquired) claim).fence(), RESPONSE);
    this.templateKey = key.toBytes();
    this.columns = new ArrayList<>();
    this.template = new ArrayList<>();
    try (Connection connection = pool.getConnection();
        PreparedStatement select =
            connection.prepareStatement("SELECT * FROM " + TABLE + " WHERE storage_key = ?")) {
      select.setBytes(1, templateKey);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          throw new IllegalStateException(name + ": the template record is not in " + TABLE);
        }
        ResultSetMetaData meta = row.getMetaData();
        for (int c = 1; c <= meta.getColumnCount(); c++) {
          columns.add(meta.getColumnName(c).toLowerCase(Locale.ROOT));
          template.add(row.getObject(c));
        }
      }
    }
    for (String required : List.of("storage_key", "expires_at")) {
      if (!columns.contains(required)) {
        throw new IllegalStateException(name + ": " + TABLE + " has no column " + required);
      }
    }
  }

  /** SQLite in {@code file}, as the gateway opens it: WAL, {@code synchronous=FULL}, 4 conns. */
  static JdbcLoadedStore sqlite(Path file) throws SQLException {
    return sqlite(file, "FULL");
  }

  /**
   * SQLite in {@code file} as the gateway opens it but with {@code synchronous} (FULL or NORMAL);
   * NORMAL, named {@code sqlite-normal}, syncs the WAL only at checkpoints, so the curve shows the
   * B-tree's cost rather than the disk's sync.
   */
  static JdbcLoadedStore sqlite(Path file, String synchronous) throws SQLException {
    HikariConfig config = new HikariConfig();
    config.setPoolName("idempo-sqlite");
    config.setJdbcUrl("jdbc:sqlite:" + file);
    config.addDataSourceProperty("journal_mode", "WAL");
    config.addDataSourceProperty("synchronous", synchronous);
    config.addDataSourceProperty("busy_timeout", "5000");
    config.setMaximumPoolSize(4);
    HikariDataSource pool = new HikariDataSource(config);
    try {
      String name =
          synchronous.equals("FULL") ? "sqlite" : "sqlite-" + synchronous.toLowerCase(Locale.ROOT);
      return new JdbcLoadedStore(name, pool, file, null);
    } catch (SQLException | RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /** PostgreSQL on {@code server} (which this object then stops), a pool of 16 as the gateway. */
  static JdbcLoadedStore postgres(PostgresServer server) throws SQLException {
    HikariConfig config = new HikariConfig();
    config.setPoolName("idempo-postgresql");
    config.setJdbcUrl(server.jdbcUrl());
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(16);
    HikariDataSource pool = new HikariDataSource(config);
    try {
      return new JdbcLoadedStore("postgresql", pool, null, server);
    } catch (SQLException | RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public IdempotencyStore store() {
    return store;
  }

  @Override
  public void load(long from, long to) throws SQLException {
    long now = System.currentTimeMillis();
    long live = now + LIVE_RETENTION.toMillis();
    long past = now - LIVE_RETENTION.toMillis();
    if (postgres != null) {
      loadPostgres(from, to, live, past);
    } else {
      loadSqlite(from, to, live, past);
    }
  }

  private void loadSqlite(long from, long to, long live, long past) throws SQLException {
    String insert =
        "INSERT INTO "
            + TABLE
            + " ("
            + String.join(", ", columns)
            + ") VALUES ("
            + columns.stream().map(c -> "?").collect(Collectors.joining(", "))
            + ")";
    int keyColumn = columns.indexOf("storage_key") + 1;
    int expiresColumn = columns.indexOf("expires_at") + 1;
    // A completed record expires retention_ms after completed_at (schema version 3).
    int completedColumn = columns.indexOf("completed_at") + 1;
    long retention = retentionMillis();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + sqliteFile)) {
      try (Statement pragma = connection.createStatement()) {
        // Loading only: a crash here loses nothing the benchmark needs. 1 GB of page cache.
        pragma.execute("PRAGMA synchronous = OFF");
        pragma.execute("PRAGMA cache_size = -1000000");
        pragma.execute("PRAGMA busy_timeout = 5000");
      }
      connection.setAutoCommit(false);
      try (PreparedStatement rows = connection.prepareStatement(insert)) {
        for (long i = from; i < to; i++) {
          // Every parameter, every row: the driver clears them after each executeBatch.
          for (int c = 1; c <= columns.size(); c++) {
            rows.setObject(c, template.get(c - 1));
          }
          rows.setBytes(keyColumn, LoadedStore.key(i).toBytes());
          long expires = LoadedStore.expired(i) ? past : live;
          rows.setLong(expiresColumn, expires);
          if (completedColumn > 0) {
            rows.setLong(completedColumn, expires - retention);
          }
          rows.addBatch();
          if ((i - from + 1) % 1_000 == 0 || i == to - 1) {
            rows.executeBatch();
          }
          if ((i - from + 1) % SQLITE_TRANSACTION == 0 || i == to - 1) {
            connection.commit();
          }
        }
      }
      connection.setAutoCommit(true);
      try (Statement checkpoint = connection.createStatement()) {
        // As a store would be after its automatic checkpoints: no loader-sized WAL left behind.
        checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      }
    }
  }

  private void loadPostgres(long from, long to, long live, long past) throws SQLException {
    String select =
        columns.stream()
            .map(
                c ->
                    switch (c) {
                      case "storage_key" -> "sha256(int8send(i))";
                      case "expires_at" ->
                          "CASE WHEN i % " + EXPIRED_EVERY + " = 0 THEN ? ELSE ? END";
                      // A completed record expires retention_ms after completed_at (schema 3).
                      case "completed_at" ->
                          "CASE WHEN i % "
                              + EXPIRED_EVERY
                              + " = 0 THEN ? ELSE ? END - t.retention_ms";
                      default -> "t." + c;
                    })
            .collect(Collectors.joining(", "));
    String insert =
        "INSERT INTO "
            + TABLE
            + " ("
            + String.join(", ", columns)
            + ") SELECT "
            + select
            + " FROM generate_series(?::bigint, ?::bigint) AS i, (SELECT * FROM "
            + TABLE
            + " WHERE storage_key = ?) AS t";
    try (Connection connection = pool.getConnection();
        PreparedStatement rows = connection.prepareStatement(insert)) {
      for (long start = from; start < to; start += POSTGRES_STATEMENT) {
        int parameter = 1;
        // The expiry's two values for each CASE, in column order (expires_at, completed_at).
        for (String column : columns) {
          if (column.equals("expires_at") || column.equals("completed_at")) {
            rows.setLong(parameter++, past);
            rows.setLong(parameter++, live);
          }
        }
        rows.setLong(parameter++, start);
        rows.setLong(parameter++, Math.min(to, start + POSTGRES_STATEMENT) - 1);
        rows.setBytes(parameter, templateKey);
        rows.executeUpdate();
      }
      try (Statement vacuum = connection.createStatement()) {
        vacuum.execute("VACUUM ANALYZE " + TABLE);
      }
    }
  }

  /** The template record's retention_ms, or zero if the schema has no such column. */
  private long retentionMillis() {
    int column = columns.indexOf("retention_ms");
    return column < 0 ? 0 : ((Number) template.get(column)).longValue();
  }

  @Override
  public long sizeBytes() throws Exception {
    if (postgres == null) {
      long bytes = 0;
      for (String suffix : List.of("", "-wal", "-shm")) {
        Path file = Path.of(sqliteFile + suffix);
        bytes += Files.exists(file) ? Files.size(file) : 0;
      }
      return bytes;
    }
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement();
        ResultSet size = statement.executeQuery("SELECT pg_total_relation_size('" + TABLE + "')")) {
      size.next();
      return size.getLong(1);
    }
  }

  @Override
  public String sizeMeaning() {
    return postgres == null
        ? "database file + WAL + shm"
        : "pg_total_relation_size(" + TABLE + "): table, indexes, TOAST";
  }

  @Override
  public void close() {
    try {
      store.close();
      pool.close();
    } finally {
      if (postgres != null) {
        postgres.close();
      }
    }
    if (sqliteFile != null) {
      for (String suffix : List.of("", "-wal", "-shm")) {
        try {
          Files.deleteIfExists(Path.of(sqliteFile + suffix));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }
}
