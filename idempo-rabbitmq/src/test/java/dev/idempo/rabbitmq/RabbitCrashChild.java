package dev.idempo.rabbitmq;

import com.rabbitmq.client.Connection;
import dev.idempo.messaging.MessagingListener;
import dev.idempo.messaging.TransactionalConsumer;
import dev.idempo.messaging.TransactionalHandler;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The child JVM of {@link RabbitCrashTest}: a {@link RabbitConsumerRunner} into PostgreSQL. Mode
 * {@code inside:<id>} prints {@code "inside <id>"} after that message's effect insert, before its
 * commit, and blocks until killed; mode {@code after-commit:<n>} halts the JVM (no hooks, like
 * SIGKILL) right after the n-th commit, before its ack.
 *
 * <p>Arguments: AMQP URI, JDBC URL, table prefix, effects table, queue, mode.
 */
public final class RabbitCrashChild {
  private RabbitCrashChild() {}

  public static void main(String[] args) throws Exception {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(args[1]);
    dataSource.setUser("idempo");
    String mode = args[5];
    AtomicInteger commits = new AtomicInteger();
    int haltAfter = mode.startsWith("after-commit:") ? Integer.parseInt(mode.substring(13)) : -1;
    TransactionalConsumer consumer =
        TransactionalConsumer.builder(dataSource, "payments")
            .tablePrefix(args[2])
            .listener(
                new MessagingListener() {
                  @Override
                  public void onProcessed(String name, String messageId) {
                    // Listeners run after the commit and before the runner acks.
                    if (commits.incrementAndGet() == haltAfter) {
                      System.out.println("halting after the commit of " + messageId);
                      System.out.flush();
                      Runtime.getRuntime().halt(9);
                    }
                  }
                })
            .build();
    TransactionalHandler insert = RabbitFixtures.insertEffect(args[3]);
    String stopInside = mode.startsWith("inside:") ? mode.substring(7) : null;
    TransactionalHandler handler =
        (connection, message) -> {
          insert.handle(connection, message);
          String id = message.brokerMessageId().orElseThrow();
          if (id.equals(stopInside)) {
            System.out.println("inside " + id);
            System.out.flush();
            new CountDownLatch(1).await(); // until killed
          }
        };
    Connection connection = RabbitFixtures.connect(args[0]);
    RabbitConsumerRunner.builder(connection, args[4], consumer, handler)
        .prefetch(20)
        .build()
        .start();
    new CountDownLatch(1).await(); // until killed or halted
  }
}
