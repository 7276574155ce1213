package dev.idempo.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.idempo.messaging.ConsumeOutcome;
import dev.idempo.messaging.Message;
import dev.idempo.messaging.MissingMessageIdException;
import dev.idempo.messaging.TransactionStep;
import dev.idempo.messaging.TransactionalConsumer;
import dev.idempo.messaging.TransactionalHandler;
import dev.idempo.store.StoreUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * Consumes a RabbitMQ queue with exactly-once effects into PostgreSQL or SQLite: manual
 * acknowledgements, each sent only after the transaction holding the handler's writes and the
 * message's dedup record ({@link TransactionalConsumer}) committed. A consumer that dies before its
 * commit leaves nothing and the broker redelivers; one that dies after the commit but before the
 * ack gets the redelivery acknowledged as a duplicate, without running the handler.
 *
 * <pre>{@code
 * TransactionalConsumer payments = TransactionalConsumer.builder(dataSource, "payments").build();
 * try (RabbitConsumerRunner runner =
 *     RabbitConsumerRunner.builder(connection, "payments", payments, this::insertCharge).build()) {
 *   runner.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>The message id is the AMQP {@code message-id} property by default (see {@link RabbitMessages};
 * another extractor is the consumer's choice). Outcomes: processed, duplicate and parked messages
 * are acked; a failed one is nacked with requeue after {@link Builder#retryBackoff}, until the
 * consumer's {@code maxFailures} parks it; a message without an id is parked at once and acked.
 *
 * <p>Thread-safe to start and close from any thread. Deliveries are handled one at a time, in
 * order, on the channel's dispatch thread; run several runners for parallelism.
 */
public final class RabbitConsumerRunner implements AutoCloseable {
  private final Connection connection;
  private final String queue;
  private final TransactionalConsumer consumer;
  private final TransactionalHandler handler;
  private final int prefetch;
  private final Duration retryBackoff;
  private Channel channel;
  private String consumerTag;

  private RabbitConsumerRunner(Builder builder) {
    this.connection = builder.connection;
    this.queue = builder.queue;
    this.consumer = builder.consumer;
    this.handler = builder.handler;
    this.prefetch = builder.prefetch;
    this.retryBackoff = builder.retryBackoff;
  }

  /**
   * A builder for a runner consuming {@code queue} over {@code connection} (which the caller owns),
   * settling messages through {@code consumer} with {@code handler}.
   */
  public static Builder builder(
      Connection connection,
      String queue,
      TransactionalConsumer consumer,
      TransactionalHandler handler) {
    return new Builder(connection, queue, consumer, handler);
  }

  /**
   * Opens a channel and starts consuming with manual acks.
   *
   * @throws IllegalStateException if already started
   * @throws UncheckedIOException if the broker refuses (say, the queue does not exist)
   */
  public synchronized void start() {
    if (channel != null) {
      throw new IllegalStateException("the runner was already started");
    }
    try {
      channel = connection.createChannel();
      channel.basicQos(prefetch);
      consumerTag = channel.basicConsume(queue, false, new Deliveries(channel));
    } catch (IOException e) {
      throw new UncheckedIOException("could not consume queue " + queue, e);
    }
  }

  /** Cancels the consumer and closes its channel; unacked messages go back to the queue. */
  @Override
  public synchronized void close() {
    if (channel == null || !channel.isOpen()) {
      return;
    }
    try {
      channel.basicCancel(consumerTag);
      channel.close();
    } catch (IOException | TimeoutException | com.rabbitmq.client.AlreadyClosedException e) {
      // The channel is gone either way; the broker requeues what was not acked.
    }
  }

  private final class Deliveries extends DefaultConsumer {
    Deliveries(Channel channel) {
      super(channel);
    }

    @Override
    public void handleDelivery(
        String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
        throws IOException {
      Message message = RabbitMessages.toMessage(queue, envelope, properties, body);
      if (settle(message)) {
        getChannel().basicAck(envelope.getDeliveryTag(), false);
      } else {
        pause();
        getChannel().basicNack(envelope.getDeliveryTag(), false, true);
      }
    }

    private boolean settle(Message message) {
      try {
        ConsumeOutcome outcome = consumer.consume(message, handler);
        return outcome.settled();
      } catch (MissingMessageIdException e) {
        try {
          consumer.park(message, e.getMessage(), TransactionStep.NONE);
          return true;
        } catch (StoreUnavailableException unavailable) {
          return false;
        }
      } catch (StoreUnavailableException e) {
        return false;
      }
    }

    private void pause() {
      try {
        Thread.sleep(retryBackoff.toMillis()); // no hot loop of redeliveries while failing
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Configures a {@link RabbitConsumerRunner}. Not thread-safe. */
  public static final class Builder {
    private final Connection connection;
    private final String queue;
    private final TransactionalConsumer consumer;
    private final TransactionalHandler handler;
    private int prefetch = 50;
    private Duration retryBackoff = Duration.ofSeconds(1);

    private Builder(
        Connection connection,
        String queue,
        TransactionalConsumer consumer,
        TransactionalHandler handler) {
      this.connection = Objects.requireNonNull(connection, "connection must not be null");
      this.queue = Objects.requireNonNull(queue, "queue must not be null");
      if (queue.isBlank()) {
        throw new IllegalArgumentException("queue must not be blank");
      }
      this.consumer = Objects.requireNonNull(consumer, "consumer must not be null");
      this.handler = Objects.requireNonNull(handler, "handler must not be null");
    }

    /** How many unacked deliveries the broker sends ahead; 1 to 65535, 50 by default. */
    public Builder prefetch(int prefetch) {
      if (prefetch < 1 || prefetch > 65535) {
        throw new IllegalArgumentException("prefetch must be 1 to 65535, was " + prefetch);
      }
      this.prefetch = prefetch;
      return this;
    }

    /** The pause before a failed message is requeued; 0 to 10 minutes, 1 s by default. */
    public Builder retryBackoff(Duration retryBackoff) {
      Objects.requireNonNull(retryBackoff, "retryBackoff must not be null");
      if (retryBackoff.isNegative() || retryBackoff.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "retryBackoff must be 0 to 10 minutes, was " + retryBackoff);
      }
      this.retryBackoff = retryBackoff;
      return this;
    }

    public RabbitConsumerRunner build() {
      return new RabbitConsumerRunner(this);
    }
  }
}
