package dev.idempo.kafka;

import dev.idempo.messaging.ConsumeOutcome;
import dev.idempo.messaging.Message;
import dev.idempo.messaging.MissingMessageIdException;
import dev.idempo.messaging.TransactionStep;
import dev.idempo.messaging.TransactionalConsumer;
import dev.idempo.messaging.TransactionalHandler;
import dev.idempo.store.StoreUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Consumes Kafka topics with exactly-once effects into PostgreSQL or SQLite, without Kafka
 * transactions: each record's handler writes, its dedup record and its partition's next offset
 * commit in ONE database transaction ({@link TransactionalConsumer}), and on every partition
 * assignment the runner seeks to the offsets stored there. A crash anywhere leaves all three or
 * none; the next owner of the partition resumes right after the last committed record.
 *
 * <pre>{@code
 * TransactionalConsumer payments = TransactionalConsumer.builder(dataSource, "payments").build();
 * try (KafkaConsumerRunner runner =
 *     KafkaConsumerRunner.builder(Map.of("bootstrap.servers", servers, "group.id", "payments"),
 *             payments, (connection, message) -> insertCharge(connection, message))
 *         .topics("orders")
 *         .build()) {
 *   runner.start();
 *   ...
 * }
 * }</pre>
 *
 * <p><b>Dedup by event id as well as offset.</b> A producer that resends after a lost answer writes
 * a second record at a new offset; the consumer's message id (by default the {@value
 * KafkaMessages#MESSAGE_ID_HEADER} header, see {@link KafkaMessages}) makes it a duplicate, which
 * only advances the offset. Stored offsets never move backwards, so a consumer that lost its
 * partition in a rebalance and commits late cannot rewind it.
 *
 * <p><b>Batches.</b> The records a poll returns for one partition are settled in one transaction
 * with one offset write, so the database sees one statement per record besides the handler's, plus
 * one per batch ({@code max.poll.records} bounds it). If a handler fails or a record has no id,
 * that transaction rolls back and the records are settled one by one, each in its own transaction
 * with its offset.
 *
 * <p><b>Failures.</b> A failed record ({@link ConsumeOutcome#FAILED}, or the database unavailable)
 * is retried: the runner seeks back to it and pauses its partition for {@link
 * Builder#retryBackoff}; other partitions go on. After the consumer's {@code maxFailures} it is
 * parked as a dead letter and the partition moves on. A record without an id is parked at once.
 *
 * <p><b>Configuration.</b> The consumer properties need {@code bootstrap.servers} and {@code
 * group.id}; the runner sets {@code enable.auto.commit=false} and byte-array deserializers, and
 * {@code auto.offset.reset=earliest} unless given (where a partition with no stored offset starts).
 * Offsets are never committed to Kafka: the table {@code <prefix>kafka_offsets} is the truth
 * (compare it with the end offsets for lag).
 *
 * <p>Thread-safe to start and close from any thread; the Kafka consumer is used only by the
 * runner's own thread.
 */
public final class KafkaConsumerRunner implements AutoCloseable {
  private final Map<String, Object> config;
  private final List<String> topics;
  private final TransactionalConsumer consumer;
  private final TransactionalHandler handler;
  private final Duration pollTimeout;
  private final Duration retryBackoff;
  private final String group;
  private final KafkaOffsets offsets;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Map<TopicPartition, Long> pausedUntil = new HashMap<>();
  private volatile Consumer<byte[], byte[]> kafka;
  private volatile boolean closing;
  private volatile Throwable failure;
  private Thread thread;

  private KafkaConsumerRunner(Builder builder) {
    this.config = builder.effectiveConfig();
    this.topics = List.copyOf(builder.topics);
    this.consumer = builder.consumer;
    this.handler = builder.handler;
    this.pollTimeout = builder.pollTimeout;
    this.retryBackoff = builder.retryBackoff;
    this.group = config.get(ConsumerConfig.GROUP_ID_CONFIG).toString();
    this.offsets =
        new KafkaOffsets(consumer.dataSource(), consumer.dialect(), consumer.tablePrefix());
    offsets.create();
  }

  /**
   * A builder for a runner with Kafka consumer properties {@code config}, settling records through
   * {@code consumer} with {@code handler}.
   *
   * @throws IllegalArgumentException if {@code config} lacks {@code bootstrap.servers} or {@code
   *     group.id}, or turns auto-commit on
   */
  public static Builder builder(
      Map<String, Object> config, TransactionalConsumer consumer, TransactionalHandler handler) {
    return new Builder(config, consumer, handler);
  }

  /** The consumer group, whose offsets the runner stores. */
  public String group() {
    return group;
  }

  /**
   * Starts consuming on a thread of its own.
   *
   * @throws IllegalStateException if already started
   */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("the runner was already started");
    }
    thread = new Thread(this::run, "idempo-kafka-" + group);
    thread.start();
  }

  /** The failure that stopped the runner's thread, if one did (null while running or closed). */
  public Throwable failure() {
    return failure;
  }

  /** Stops polling after the record in progress (its transaction completes) and closes. */
  @Override
  public void close() {
    closing = true;
    Consumer<byte[], byte[]> current = kafka;
    if (current != null) {
      current.wakeup();
    }
    Thread running;
    synchronized (this) {
      running = thread;
    }
    if (running != null && running != Thread.currentThread()) {
      try {
        if (!stopped.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException(
              "the Kafka runner of group " + group + " did not stop in 60 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    try (Consumer<byte[], byte[]> created =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      kafka = created;
      if (closing) {
        return;
      }
      created.subscribe(topics, new SeekToStoredOffsets(created));
      while (!closing) {
        resumeDuePartitions(created);
        ConsumerRecords<byte[], byte[]> records = created.poll(pollTimeout);
        for (TopicPartition partition : records.partitions()) {
          processPartition(created, partition, records.records(partition));
        }
      }
    } catch (WakeupException e) {
      // close() woke us up
    } catch (RuntimeException | Error e) {
      if (!closing) {
        failure = e;
      }
      throw e;
    } finally {
      kafka = null;
      stopped.countDown();
    }
  }

  private void processPartition(
      Consumer<byte[], byte[]> kafka,
      TopicPartition partition,
      List<ConsumerRecord<byte[], byte[]>> records) {
    if (records.size() > 1 && !closing && settleAll(partition, records)) {
      return;
    }
    for (ConsumerRecord<byte[], byte[]> record : records) {
      if (closing) {
        kafka.seek(partition, record.offset()); // the next owner starts here
        return;
      }
      if (!settle(partition, record)) {
        kafka.seek(partition, record.offset());
        kafka.pause(List.of(partition));
        pausedUntil.put(partition, System.nanoTime() + retryBackoff.toNanos());
        return;
      }
    }
  }

  /**
   * The fast path: the partition's records of this poll in one transaction with one offset write.
   * False if a record has no id or a handler failed (all rolled back): then one by one.
   */
  private boolean settleAll(
      TopicPartition partition, List<ConsumerRecord<byte[], byte[]>> records) {
    List<Message> messages = new ArrayList<>(records.size());
    for (ConsumerRecord<byte[], byte[]> record : records) {
      messages.add(KafkaMessages.toMessage(record));
    }
    long next = records.get(records.size() - 1).offset() + 1;
    try {
      return consumer
          .consumeAll(
              messages, handler, connection -> offsets.advance(connection, group, partition, next))
          .isPresent();
    } catch (StoreUnavailableException e) {
      return false;
    }
  }

  /** Runs the record through the consumer; false if it is not settled and must be retried. */
  private boolean settle(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
    Message message = KafkaMessages.toMessage(record);
    TransactionStep storeOffset =
        connection -> offsets.advance(connection, group, partition, record.offset() + 1);
    try {
      return consumer.consume(message, handler, storeOffset).settled();
    } catch (MissingMessageIdException e) {
      try {
        consumer.park(message, e.getMessage(), storeOffset);
        return true;
      } catch (StoreUnavailableException unavailable) {
        return false;
      }
    } catch (StoreUnavailableException e) {
      return false;
    }
  }

  private void resumeDuePartitions(Consumer<byte[], byte[]> kafka) {
    if (pausedUntil.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    Iterator<Map.Entry<TopicPartition, Long>> entries = pausedUntil.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<TopicPartition, Long> entry = entries.next();
      if (now - entry.getValue() >= 0) {
        if (kafka.assignment().contains(entry.getKey())) {
          kafka.resume(List.of(entry.getKey()));
        }
        entries.remove();
      }
    }
  }

  /** On assignment, seek each partition to the next offset stored in the database. */
  private final class SeekToStoredOffsets implements ConsumerRebalanceListener {
    private final Consumer<byte[], byte[]> kafka;

    SeekToStoredOffsets(Consumer<byte[], byte[]> kafka) {
      this.kafka = kafka;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // Runs inside poll(), before any record of these partitions is returned.
      offsets.read(group, partitions).forEach(kafka::seek);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // Nothing to commit: every settled record's offset committed with its effect.
      partitions.forEach(pausedUntil::remove);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      partitions.forEach(pausedUntil::remove);
    }
  }

  /** Configures a {@link KafkaConsumerRunner}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Object> config;
    private final TransactionalConsumer consumer;
    private final TransactionalHandler handler;
    private List<String> topics = List.of();
    private Duration pollTimeout = Duration.ofMillis(500);
    private Duration retryBackoff = Duration.ofSeconds(1);

    private Builder(
        Map<String, Object> config, TransactionalConsumer consumer, TransactionalHandler handler) {
      this.config = new HashMap<>(Objects.requireNonNull(config, "config must not be null"));
      this.consumer = Objects.requireNonNull(consumer, "consumer must not be null");
      this.handler = Objects.requireNonNull(handler, "handler must not be null");
      for (String required :
          List.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ConsumerConfig.GROUP_ID_CONFIG)) {
        Object value = this.config.get(required);
        if (value == null || value.toString().isBlank()) {
          throw new IllegalArgumentException("Kafka consumer config needs " + required);
        }
      }
      Object autoCommit = this.config.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
      if (autoCommit != null && "true".equalsIgnoreCase(autoCommit.toString())) {
        throw new IllegalArgumentException(
            "enable.auto.commit must be false: offsets are stored with each record's effect");
      }
    }

    /** The topics to subscribe to; at least one. */
    public Builder topics(String... topics) {
      if (topics.length == 0) {
        throw new IllegalArgumentException("topics must name at least one topic");
      }
      for (String topic : topics) {
        if (topic == null || topic.isBlank()) {
          throw new IllegalArgumentException("topic names must not be blank");
        }
      }
      this.topics = List.of(topics);
      return this;
    }

    /** How long one poll waits for records; 500 ms by default. */
    public Builder pollTimeout(Duration pollTimeout) {
      this.pollTimeout = positive(pollTimeout, "pollTimeout");
      return this;
    }

    /** How long a partition pauses after a failed record before it is retried; 1 s default. */
    public Builder retryBackoff(Duration retryBackoff) {
      this.retryBackoff = positive(retryBackoff, "retryBackoff");
      return this;
    }

    private static Duration positive(Duration duration, String name) {
      Objects.requireNonNull(duration, name + " must not be null");
      if (duration.isNegative()
          || duration.isZero()
          || duration.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            name + " must be above zero and at most 10 minutes, was " + duration);
      }
      return duration;
    }

    private Map<String, Object> effectiveConfig() {
      Map<String, Object> effective = new HashMap<>(config);
      effective.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      effective.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      effective.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
      effective.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
      return effective;
    }

    /**
     * Builds the runner (not started) and creates the offsets table if missing.
     *
     * @throws IllegalStateException if no topic was given
     */
    public KafkaConsumerRunner build() {
      if (topics.isEmpty()) {
        throw new IllegalStateException("call topics(...) before build()");
      }
      return new KafkaConsumerRunner(this);
    }
  }
}
