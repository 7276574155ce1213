package dev.idempo.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.idempo.messaging.TransactionalHandler;
import dev.idempo.testsupport.MessageEffects;
import dev.idempo.testsupport.RabbitMqServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Connections, queues and the effects handler, shared by the RabbitMQ tests. */
final class RabbitFixtures {
  private RabbitFixtures() {}

  static Connection connect(String uri) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    factory.setAutomaticRecoveryEnabled(false);
    return factory.newConnection();
  }

  static Connection connect() throws Exception {
    return connect(RabbitMqServer.shared().uri());
  }

  /** A new durable queue. */
  static String newQueue(Connection connection, String name) throws Exception {
    String queue = name + "-" + UUID.randomUUID().toString().substring(0, 8);
    try (Channel channel = connection.createChannel()) {
      channel.queueDeclare(queue, true, false, false, null);
    }
    return queue;
  }

  /** Publishes persistent messages with confirms; a null id publishes without message-id. */
  static void publish(Connection connection, String queue, List<String> ids) throws Exception {
    try (Channel channel = connection.createChannel()) {
      channel.confirmSelect();
      for (String id : ids) {
        AMQP.BasicProperties properties =
            new AMQP.BasicProperties.Builder().messageId(id).deliveryMode(2).build();
        channel.basicPublish(
            "", queue, properties, ("charge " + id).getBytes(StandardCharsets.UTF_8));
      }
      channel.waitForConfirmsOrDie(30_000);
    }
  }

  static long messageCount(Connection connection, String queue) throws Exception {
    try (Channel channel = connection.createChannel()) {
      return channel.queueDeclarePassive(queue).getMessageCount();
    }
  }

  /** The handler: one {@link MessageEffects} row per run, named by the broker's message id. */
  static TransactionalHandler insertEffect(String effects) {
    return (connection, message) ->
        MessageEffects.insert(
            connection, effects, message.brokerMessageId().orElseThrow(), message.source());
  }

  static List<String> ids(String prefix, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(prefix + i);
    }
    return ids;
  }
}
