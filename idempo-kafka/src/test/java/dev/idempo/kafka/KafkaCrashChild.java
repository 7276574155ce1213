package dev.idempo.kafka;

import dev.idempo.messaging.MessageIdExtractor;
import dev.idempo.messaging.MessagingListener;
import dev.idempo.messaging.TransactionalConsumer;
import dev.idempo.messaging.TransactionalHandler;
import java.util.concurrent.CountDownLatch;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The child JVM of {@link KafkaCrashTest}: a {@link KafkaConsumerRunner} into PostgreSQL that
 * prints {@value #RUNNING} once started and {@value #PROCESSED} after each commit; if given an
 * event id to stop at, it prints {@code "inside <id>"} after that event's effect insert (before the
 * commit of effect, dedup record and offset) and blocks until it is killed.
 *
 * <p>Arguments: bootstrap servers, JDBC URL, table prefix, effects table, topic, group, event id to
 * stop at (or "-").
 */
public final class KafkaCrashChild {
  static final String RUNNING = "running";
  static final String PROCESSED = "processed";

  private KafkaCrashChild() {}

  public static void main(String[] args) throws Exception {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(args[1]);
    dataSource.setUser("idempo");
    TransactionalConsumer consumer =
        TransactionalConsumer.builder(dataSource, "payments")
            .tablePrefix(args[2])
            .listener(
                new MessagingListener() {
                  @Override
                  public void onProcessed(String name, String messageId) {
                    System.out.println(PROCESSED); // after the commit of effect, record and offset
                  }
                })
            .messageId(MessageIdExtractor.header(KafkaMessages.MESSAGE_ID_HEADER))
            .build();
    TransactionalHandler insert = KafkaFixtures.insertEffect(args[3]);
    String stopAt = args[6];
    TransactionalHandler handler =
        (connection, message) -> {
          insert.handle(connection, message);
          String id = message.header(KafkaMessages.MESSAGE_ID_HEADER).orElseThrow();
          if (id.equals(stopAt)) {
            System.out.println("inside " + id);
            System.out.flush();
            new CountDownLatch(1).await(); // until killed
          }
        };
    KafkaConsumerRunner runner =
        KafkaConsumerRunner.builder(
                KafkaFixtures.consumerConfig(args[0], args[5]), consumer, handler)
            .topics(args[4])
            .build();
    runner.start();
    System.out.println(RUNNING);
    System.out.flush();
    new CountDownLatch(1).await(); // until killed
  }
}
