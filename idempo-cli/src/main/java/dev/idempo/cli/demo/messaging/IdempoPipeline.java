package dev.idempo.cli.demo.messaging;

import dev.idempo.kafka.KafkaConsumerRunner;
import dev.idempo.kafka.KafkaEventProducer;
import dev.idempo.kafka.KafkaMessages;
import dev.idempo.kafka.KafkaOutboxPublisher;
import dev.idempo.messaging.MessagingListener;
import dev.idempo.messaging.Outbox;
import dev.idempo.messaging.OutboxEvent;
import dev.idempo.messaging.OutboxPublisher;
import dev.idempo.messaging.OutboxRelay;
import dev.idempo.messaging.TransactionalConsumer;
import dev.idempo.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The pipeline with Idempo: the order service writes each order and its event in one transaction
 * ({@link Outbox}); an {@link OutboxRelay} publishes the events with their outbox ids; the payments
 * consumers are {@link KafkaConsumerRunner}s whose {@link TransactionalConsumer} commits the
 * charge, the dedup record and the partition's offset in one transaction. Not thread-safe; one run.
 */
final class IdempoPipeline {
  private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration LEASE = PUBLISH_TIMEOUT.multipliedBy(2);

  private final MessagingDemo.Setup setup;
  private final Set<Integer> consumerKills = ConcurrentHashMap.newKeySet();
  private final Set<Integer> relayKills = ConcurrentHashMap.newKeySet();
  private final Set<Integer> lostAcks = ConcurrentHashMap.newKeySet();
  private final AtomicLong deliveries = new AtomicLong();
  private final AtomicInteger consumersKilled = new AtomicInteger();
  private final AtomicLong duplicatesSkipped = new AtomicLong();
  private final FastForwardClock clock = new FastForwardClock();
  private final TransactionalConsumer consumer;
  private final String group;

  IdempoPipeline(MessagingDemo.Setup setup) {
    this.setup = setup;
    consumerKills.addAll(setup.chaos().consumerKills());
    relayKills.addAll(setup.chaos().relayKills());
    lostAcks.addAll(setup.chaos().lostAcks());
    this.group = setup.consumerConfig().get("group.id").toString();
    this.consumer =
        TransactionalConsumer.builder(setup.payments(), "payments")
            .listener(
                new MessagingListener() {
                  @Override
                  public void onDuplicate(String name, String messageId) {
                    deliveries.incrementAndGet();
                    duplicatesSkipped.incrementAndGet();
                  }
                })
            .build();
  }

  MessagingDemo.Traffic run() throws SQLException, InterruptedException {
    Outbox outbox = Outbox.builder(setup.orders()).clock(clock).build();
    try (ConsumerFleet payments = new ConsumerFleet(setup.consumers(), this::newRunner)) {
      payments.start();
      RelayProcess relay = new RelayProcess(outbox);
      relay.start();
      try {
        placeOrders(outbox);
        setup.await(() -> outbox.pendingCount() == 0, "the relay to publish every outbox event");
      } finally {
        relay.stop();
      }
      Map<TopicPartition, Long> ends = setup.kafka().endOffsets(setup.topic(), setup.partitions());
      setup.await(
          () -> {
            Map<TopicPartition, Long> stored = storedOffsets();
            return ends.entrySet().stream()
                .allMatch(end -> stored.getOrDefault(end.getKey(), 0L) >= end.getValue());
          },
          "the Idempo consumers to reach the end of " + setup.topic());
      long sent = ends.values().stream().mapToLong(Long::longValue).sum();
      return new MessagingDemo.Traffic(
          sent, deliveries.get(), duplicatesSkipped.get(), consumersKilled.get());
    }
  }

  /** The order service: the order and its event in one transaction. */
  private void placeOrders(Outbox outbox) throws SQLException {
    try (Connection orders = setup.orders().getConnection()) {
      orders.setAutoCommit(false);
      for (int order = 0; order < setup.orderCount(); order++) {
        MessagingDemo.insertOrder(orders, order);
        outbox.schedule(
            orders,
            setup.topic(),
            "order-" + order,
            MessagingDemo.payload(order),
            Map.of(MessagingDemo.ORDER_HEADER, "" + order));
        orders.commit();
        // A crash of the service here (serviceCrashes) loses nothing: the event committed with
        // the order, and the relay publishes it whenever the service is gone.
      }
    }
  }

  private ConsumerFleet.Member newRunner() {
    KafkaConsumerRunner runner =
        KafkaConsumerRunner.builder(
                setup.consumerConfig(),
                consumer,
                (connection, message) -> {
                  deliveries.incrementAndGet();
                  int order =
                      Integer.parseInt(message.header(MessagingDemo.ORDER_HEADER).orElseThrow());
                  PaymentsLedger.charge(
                      connection,
                      order,
                      message.header(KafkaMessages.MESSAGE_ID_HEADER).orElseThrow(),
                      MessagingDemo.amountOf(order));
                  if (consumerKills.remove(order)) {
                    consumersKilled.incrementAndGet();
                    throw new SimulatedCrash(
                        "payments consumer killed after charging order "
                            + order
                            + ", before committing its offset");
                  }
                })
            .topics(setup.topic())
            .pollTimeout(Duration.ofMillis(100))
            .build();
    return new ConsumerFleet.Member() {
      @Override
      public void start() {
        runner.start();
      }

      @Override
      public boolean crashed() {
        return runner.failure() instanceof SimulatedCrash;
      }

      @Override
      public void close() {
        runner.close();
      }
    };
  }

  /** The next offset stored for each partition in the payments database, by the runners. */
  private Map<TopicPartition, Long> storedOffsets() {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    try (Connection connection = setup.payments().getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT partition_id, next_offset FROM "
                    + consumer.tablePrefix()
                    + "kafka_offsets WHERE group_id = ? AND topic = ?")) {
      select.setString(1, group);
      select.setString(2, setup.topic());
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          offsets.put(new TopicPartition(setup.topic(), rows.getInt(1)), rows.getLong(2));
        }
      }
    } catch (SQLException e) {
      // busy: the next look sees them
    }
    return offsets;
  }

  /**
   * The relay as a process: its own producer and {@link OutboxRelay}, passes run in a loop. When
   * the chaos kills it, its producer is dropped without flushing and a new relay, with a new
   * producer and a new relay id, takes over. Rows the dead relay had claimed stay claimed until its
   * lease runs out: rather than wait the lease out, the demo moves the outbox's clock past it.
   */
  private final class RelayProcess {
    private final Outbox outbox;
    private volatile boolean stopping;
    private Thread thread;

    RelayProcess(Outbox outbox) {
      this.outbox = outbox;
    }

    void start() {
      thread = new Thread(this::relay, "idempo-demo-relay");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      stopping = true;
      thread.join(TimeUnit.SECONDS.toMillis(60));
    }

    private void relay() {
      KafkaProducer<byte[], byte[]> producer = newProducer();
      OutboxRelay relay = newRelay(producer);
      while (!stopping) {
        int relayed;
        try {
          relayed = relay.relayOnce();
        } catch (SimulatedCrash killed) {
          producer.close(Duration.ZERO);
          clock.advance(LEASE);
          producer = newProducer();
          relay = newRelay(producer);
          continue;
        } catch (StoreUnavailableException e) {
          relayed = 0;
        }
        if (relayed == 0) {
          try {
            TimeUnit.MILLISECONDS.sleep(10);
          } catch (InterruptedException e) {
            break;
          }
        }
      }
      producer.close();
    }

    private KafkaProducer<byte[], byte[]> newProducer() {
      Map<String, Object> config = new HashMap<>();
      config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, setup.kafka().bootstrapServers());
      config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
      config.put(
          ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
          (int) PUBLISH_TIMEOUT.minusSeconds(1).toMillis());
      config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
      return new KafkaProducer<>(
          KafkaEventProducer.idempotentConfig(config),
          new ByteArraySerializer(),
          new ByteArraySerializer());
    }

    private OutboxRelay newRelay(KafkaProducer<byte[], byte[]> producer) {
      return OutboxRelay.builder(outbox, new ChaosPublisher(KafkaOutboxPublisher.create(producer)))
          .publishTimeout(PUBLISH_TIMEOUT)
          .lease(LEASE)
          .backoff(Duration.ofMillis(10), Duration.ofMillis(200))
          .build();
    }
  }

  /** The Kafka publisher with the chaos: acks lost once, the relay killed after a publish. */
  private final class ChaosPublisher implements OutboxPublisher {
    private final OutboxPublisher kafka;

    ChaosPublisher(OutboxPublisher kafka) {
      this.kafka = kafka;
    }

    @Override
    public CompletionStage<?> publish(OutboxEvent event) {
      int order = Integer.parseInt(event.headers().get(MessagingDemo.ORDER_HEADER));
      CompletableFuture<?> acknowledged = kafka.publish(event).toCompletableFuture();
      if (relayKills.remove(order)) {
        try {
          acknowledged.get(PUBLISH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
          relayKills.add(order); // not published: kill it on the next attempt instead
          return acknowledged;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new SimulatedCrash(
            "relay killed after publishing order " + order + ", before marking it published");
      }
      if (lostAcks.remove(order)) {
        return acknowledged.thenCompose(
            ignored ->
                CompletableFuture.failedFuture(
                    new TimeoutException("the broker's acknowledgement was lost")));
      }
      return acknowledged;
    }
  }

  /** The system clock, moved forward when a killed relay's lease is to run out at once. */
  private static final class FastForwardClock implements InstantSource {
    private final AtomicLong offsetMillis = new AtomicLong();

    void advance(Duration duration) {
      offsetMillis.addAndGet(duration.toMillis());
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }

    @Override
    public long millis() {
      return System.currentTimeMillis() + offsetMillis.get();
    }
  }
}
