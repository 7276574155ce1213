package dev.idempo.jdbc;

import dev.idempo.Fingerprint;
import dev.idempo.IdempotencyKey;
import dev.idempo.ResultCodec;
import dev.idempo.Scope;
import java.sql.PreparedStatement;
import java.util.concurrent.CountDownLatch;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The child JVM of {@link TransactionalCrashTest}: runs transactional work against PostgreSQL,
 * prints {@value #INSIDE_WORK} after its business insert, then blocks until it is killed.
 *
 * <p>Arguments: JDBC URL, table prefix, business table, client key.
 */
public final class TransactionalCrashChild {
  static final String INSIDE_WORK = "inside work";
  static final String APPLICATION_NAME = "idempo-crash-child";
  static final Scope SCOPE = Scope.operation("POST /orders");
  static final Fingerprint FINGERPRINT = Fingerprint.builder().add("body", "order 1").build();

  private TransactionalCrashChild() {}

  public static void main(String[] args) throws Exception {
    String jdbcUrl = args[0];
    String prefix = args[1];
    String orders = args[2];
    IdempotencyKey key = IdempotencyKey.of(args[3]);

    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(jdbcUrl);
    dataSource.setUser("idempo");
    dataSource.setApplicationName(APPLICATION_NAME);
    JdbcIdempotencyStore store =
        JdbcIdempotencyStore.builder(dataSource)
            .dialect(Dialect.POSTGRESQL)
            .tablePrefix(prefix)
            .migrateSchema(false)
            .build();
    JdbcIdempotency transactional = JdbcIdempotency.builder(store).build();

    transactional.execute(
        dataSource,
        SCOPE,
        key,
        FINGERPRINT,
        ResultCodec.utf8(),
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement("INSERT INTO " + orders + " (id) VALUES ('order-1')")) {
            insert.executeUpdate();
          }
          System.out.println(INSIDE_WORK);
          System.out.flush();
          new CountDownLatch(1).await(); // until killed
          return "unreachable";
        });
  }
}
