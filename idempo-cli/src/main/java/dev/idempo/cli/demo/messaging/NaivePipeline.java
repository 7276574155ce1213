package dev.idempo.cli.demo.messaging;

import dev.idempo.kafka.KafkaMessages;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The pipeline as it is often written: the order service commits the order, then publishes its
 * event with a plain producer (and, when the acknowledgement is lost, sends it again); the payments
 * consumers auto-commit offsets and charge on every delivery. Not thread-safe; one run.
 */
final class NaivePipeline {
  private final MessagingDemo.Setup setup;
  private final Set<Integer> consumerKills = ConcurrentHashMap.newKeySet();
  private final Map<TopicPartition, Long> completed = new ConcurrentHashMap<>();
  private final AtomicLong deliveries = new AtomicLong();
  private final AtomicInteger consumersKilled = new AtomicInteger();

  NaivePipeline(MessagingDemo.Setup setup) {
    this.setup = setup;
    consumerKills.addAll(setup.chaos().consumerKills());
  }

  MessagingDemo.Traffic run() throws SQLException, InterruptedException {
    try (ConsumerFleet payments = new ConsumerFleet(setup.consumers(), NaiveConsumer::new)) {
      payments.start();
      long sent = placeOrders();
      Map<TopicPartition, Long> ends = setup.kafka().endOffsets(setup.topic(), setup.partitions());
      setup.await(
          () ->
              ends.entrySet().stream()
                  .allMatch(end -> completed.getOrDefault(end.getKey(), -1L) >= end.getValue() - 1),
          "the naive consumers to reach the end of " + setup.topic());
      return new MessagingDemo.Traffic(sent, deliveries.get(), 0, consumersKilled.get());
    }
  }

  /** The order service: commit, then publish; returns how many records it sent. */
  private long placeOrders() throws SQLException, InterruptedException {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, setup.kafka().bootstrapServers());
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    long sent = 0;
    try (KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        Connection orders = setup.orders().getConnection()) {
      for (int order = 0; order < setup.orderCount(); order++) {
        MessagingDemo.insertOrder(orders, order);
        if (setup.chaos().serviceCrashes().contains(order)) {
          continue; // the service died between its commit and its publish; the event is gone
        }
        String eventId = "order-" + order + "-placed";
        int copies = setup.chaos().lostAcks().contains(order) ? 2 : 1; // the ack was lost: resend
        for (int copy = 0; copy < copies; copy++) {
          try {
            producer
                .send(
                    KafkaMessages.record(
                        setup.topic(),
                        "order-" + order,
                        eventId,
                        MessagingDemo.payload(order),
                        Map.of(MessagingDemo.ORDER_HEADER, "" + order)))
                .get(30, TimeUnit.SECONDS);
            sent++;
          } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the demo's broker did not take an event: " + e, e);
          }
        }
      }
    }
    return sent;
  }

  /** A payments consumer with auto-commit that charges on every delivery. */
  private final class NaiveConsumer implements ConsumerFleet.Member {
    private final KafkaConsumer<byte[], byte[]> kafka;
    private volatile boolean crashed;
    private volatile boolean closing;
    private Thread thread;

    NaiveConsumer() {
      Map<String, Object> config = setup.consumerConfig();
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true);
      kafka = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void start() {
      thread = new Thread(this::consume, "idempo-demo-naive-consumer");
      thread.setDaemon(true);
      thread.start();
    }

    private void consume() {
      try (Connection payments = setup.payments().getConnection()) {
        kafka.subscribe(java.util.List.of(setup.topic()));
        while (!closing) {
          for (ConsumerRecord<byte[], byte[]> record : kafka.poll(Duration.ofMillis(100))) {
            deliveries.incrementAndGet();
            int order =
                MessagingDemo.orderOf(
                    record.headers().lastHeader(MessagingDemo.ORDER_HEADER).value());
            String eventId =
                new String(
                    record.headers().lastHeader(KafkaMessages.MESSAGE_ID_HEADER).value(),
                    StandardCharsets.UTF_8);
            PaymentsLedger.charge(payments, order, eventId, MessagingDemo.amountOf(order));
            if (consumerKills.remove(order)) {
              // Killed after the charge, before the next poll commits this record's offset:
              // no close(), which would commit it.
              consumersKilled.incrementAndGet();
              crashed = true;
              return;
            }
            completed.merge(
                new TopicPartition(record.topic(), record.partition()), record.offset(), Math::max);
          }
        }
        kafka.close();
      } catch (WakeupException e) {
        kafka.close();
      } catch (SQLException e) {
        throw new IllegalStateException("the naive consumer could not charge: " + e, e);
      }
    }

    @Override
    public boolean crashed() {
      return crashed;
    }

    @Override
    public void close() {
      closing = true;
      if (crashed) {
        // Released only after the run was counted. It left the group when its poll timed out,
        // as a dead process would; it has nothing to say to the group now.
        kafka.close(
            CloseOptions.groupMembershipOperation(GroupMembershipOperation.REMAIN_IN_GROUP)
                .withTimeout(Duration.ZERO));
        return;
      }
      kafka.wakeup();
      try {
        thread.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
