package dev.idempo.messaging;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.util.concurrent.CountDownLatch;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The child JVM of {@link ConsumerCrashTest}: consumes one message on PostgreSQL, prints {@value
 * #INSIDE_HANDLER} after the handler's insert, then blocks until it is killed.
 *
 * <p>Arguments: JDBC URL, table prefix, effects table, message id.
 */
public final class ConsumerCrashChild {
  static final String INSIDE_HANDLER = "inside handler";

  private ConsumerCrashChild() {}

  public static void main(String[] args) throws Exception {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(args[0]);
    dataSource.setUser("idempo");
    TransactionalConsumer consumer =
        TransactionalConsumer.builder(dataSource, "payments")
            .tablePrefix(args[1])
            .messageId(MessageIdExtractor.header("event-id"))
            .build();
    Message message =
        Message.builder("100".getBytes(StandardCharsets.UTF_8)).header("event-id", args[3]).build();
    consumer.consume(
        message,
        (connection, m) -> {
          try (PreparedStatement insert =
              connection.prepareStatement("INSERT INTO " + args[2] + " (message_id) VALUES (?)")) {
            insert.setString(1, args[3]);
            insert.executeUpdate();
          }
          System.out.println(INSIDE_HANDLER);
          System.out.flush();
          new CountDownLatch(1).await(); // until killed
        });
  }
}
