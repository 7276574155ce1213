package dev.idempo.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.idempo.messaging.OutboxEvent;
import dev.idempo.messaging.OutboxPublisher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * Publishes outbox events to RabbitMQ with publisher confirms: the event's destination is the
 * routing key on the configured exchange (the default exchange routes it to the queue of that
 * name), its id the AMQP {@code message-id} (where {@link RabbitConsumerRunner} dedupes a resend),
 * its headers the AMQP headers; messages are persistent and mandatory. A publish completes once the
 * broker confirmed it; a nack, a return (unroutable) or no confirm within the timeout fails it, and
 * the relay retries.
 *
 * <p>Thread-safe: publishes are serialized on one confirm-mode channel of its own. Does not own the
 * connection; {@link #close()} closes the channel.
 */
public final class RabbitOutboxPublisher implements OutboxPublisher, AutoCloseable {
  private final Connection connection;
  private final String exchange;
  private final Duration confirmTimeout;
  private volatile String returned;
  private Channel channel;

  private RabbitOutboxPublisher(Connection connection, String exchange, Duration confirmTimeout)
      throws IOException {
    this.connection = connection;
    this.exchange = exchange;
    this.confirmTimeout = confirmTimeout;
    this.channel = open();
  }

  /** A confirm-mode channel; a failed confirm wait closes the channel, so it is reopened. */
  private Channel open() throws IOException {
    Channel opened = connection.createChannel();
    opened.confirmSelect();
    opened.addReturnListener(message -> returned = message.getReplyText());
    return opened;
  }

  /**
   * A publisher on a new channel of {@code connection}, to {@code exchange} ({@code ""} for the
   * default exchange), waiting up to {@code confirmTimeout} for each confirm.
   *
   * @throws UncheckedIOException if the channel cannot be opened in confirm mode
   */
  public static RabbitOutboxPublisher create(
      Connection connection, String exchange, Duration confirmTimeout) {
    Objects.requireNonNull(connection, "connection must not be null");
    Objects.requireNonNull(exchange, "exchange must not be null");
    Objects.requireNonNull(confirmTimeout, "confirmTimeout must not be null");
    if (confirmTimeout.isNegative() || confirmTimeout.isZero()) {
      throw new IllegalArgumentException(
          "confirmTimeout must be above zero, was " + confirmTimeout);
    }
    try {
      return new RabbitOutboxPublisher(connection, exchange, confirmTimeout);
    } catch (IOException e) {
      throw new UncheckedIOException("could not open a confirm-mode channel", e);
    }
  }

  @Override
  public synchronized CompletionStage<?> publish(OutboxEvent event) {
    Map<String, Object> headers = new HashMap<>(event.headers());
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .messageId(event.id())
            .deliveryMode(2)
            .headers(headers)
            .build();
    try {
      if (!channel.isOpen()) {
        channel = open();
      }
      returned = null;
      channel.basicPublish(exchange, event.destination(), true, properties, event.payload());
      channel.waitForConfirmsOrDie(confirmTimeout.toMillis());
      if (returned != null) {
        return CompletableFuture.failedFuture(
            new IOException(
                "RabbitMQ returned event "
                    + event.id()
                    + " as unroutable to "
                    + event.destination()
                    + ": "
                    + returned));
      }
      return CompletableFuture.completedFuture(null);
    } catch (IOException | TimeoutException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      if (channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | TimeoutException e) {
      // closing anyway
    }
  }
}
