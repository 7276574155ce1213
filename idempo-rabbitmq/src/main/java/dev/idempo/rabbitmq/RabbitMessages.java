package dev.idempo.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import dev.idempo.messaging.Message;
import java.util.Map;

/**
 * AMQP deliveries as {@link Message}s: the {@code message-id} property as the broker message id
 * (what {@link dev.idempo.messaging.MessageIdExtractor#brokerMessageId()}, the default extractor,
 * reads), headers as text, the routing key as the key, and {@code queue <name> #<delivery tag>} as
 * the source. Stateless and thread-safe.
 */
public final class RabbitMessages {
  private RabbitMessages() {}

  /** The delivery as a message; a null body becomes an empty payload. */
  public static Message toMessage(
      String queue, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
    Message.Builder message =
        Message.builder(body == null ? new byte[0] : body)
            .key(envelope.getRoutingKey())
            .source(
                "queue "
                    + queue
                    + " #"
                    + envelope.getDeliveryTag()
                    + (envelope.isRedeliver() ? " (redelivered)" : ""));
    if (properties != null) {
      message.brokerMessageId(properties.getMessageId());
      Map<String, Object> headers = properties.getHeaders();
      if (headers != null) {
        headers.forEach((name, value) -> message.header(name, String.valueOf(value)));
      }
    }
    return message.build();
  }
}
