package dev.idempo.kafka;

import dev.idempo.messaging.Outbox;
import dev.idempo.messaging.OutboxEvent;
import dev.idempo.messaging.OutboxListener;
import dev.idempo.messaging.OutboxPublisher;
import dev.idempo.messaging.OutboxRelay;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The child JVM of {@link KafkaOutboxTest}: an outbox relay from PostgreSQL to Kafka printing
 * {@value #PUBLISHED} per delivered event. With a number n as the last argument, it halts the JVM
 * (no hooks, like SIGKILL) as soon as the broker acknowledged the n-th event: published, not yet
 * deleted from the outbox.
 *
 * <p>Arguments: bootstrap servers, JDBC URL, table prefix, n or "-".
 */
public final class KafkaRelayChild {
  static final String PUBLISHED = "published";

  private KafkaRelayChild() {}

  public static void main(String[] args) throws Exception {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(args[1]);
    dataSource.setUser("idempo");
    Outbox outbox = Outbox.builder(dataSource).tablePrefix(args[2]).build();
    int haltAt = args[3].equals("-") ? -1 : Integer.parseInt(args[3]);
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            KafkaEventProducer.idempotentConfig(Map.of("bootstrap.servers", args[0])),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    KafkaOutboxPublisher kafka = KafkaOutboxPublisher.create(producer);
    AtomicInteger acknowledged = new AtomicInteger();
    OutboxPublisher publisher =
        event ->
            kafka
                .publish(event)
                .thenApply(
                    ack -> {
                      if (acknowledged.incrementAndGet() == haltAt) {
                        System.out.println("halting after the ack of " + event.id());
                        System.out.flush();
                        Runtime.getRuntime().halt(9);
                      }
                      return ack;
                    });
    OutboxRelay relay =
        OutboxRelay.builder(outbox, publisher)
            .batchSize(20)
            .lease(Duration.ofSeconds(4))
            .publishTimeout(Duration.ofSeconds(2))
            .pollInterval(Duration.ofMillis(20))
            .listener(
                new OutboxListener() {
                  @Override
                  public void onPublished(OutboxEvent event) {
                    System.out.println(PUBLISHED);
                  }
                })
            .build();
    relay.start();
    new CountDownLatch(1).await(); // until killed or halted
  }
}
