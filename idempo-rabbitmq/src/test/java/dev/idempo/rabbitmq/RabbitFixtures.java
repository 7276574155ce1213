package dev.idempo.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.idempo.messaging.TransactionalHandler;
import dev.idempo.testsupport.RabbitMqServer;
import dev.idempo.testsupport.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/** Connections, queues, the effects table and its counts, shared by the RabbitMQ tests. */
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

  static void createEffects(DataSource dataSource, String effects) {
    TestDatabases.execute(
        dataSource,
        "CREATE TABLE " + effects + " (message_id VARCHAR(100) NOT NULL, source VARCHAR(200))");
  }

  static TransactionalHandler insertEffect(String effects) {
    return (connection, message) -> {
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO " + effects + " (message_id, source) VALUES (?, ?)")) {
        insert.setString(1, message.brokerMessageId().orElseThrow());
        insert.setString(2, message.source());
        insert.executeUpdate();
      }
    };
  }

  static long distinctEffects(DataSource dataSource, String effects) {
    return TestDatabases.count(dataSource, "SELECT COUNT(DISTINCT message_id) FROM " + effects);
  }

  static List<String> duplicatedEffects(DataSource dataSource, String effects) {
    List<String> duplicated = new ArrayList<>();
    try (java.sql.Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT message_id, COUNT(*) FROM "
                    + effects
                    + " GROUP BY message_id HAVING COUNT(*) > 1");
        ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        duplicated.add(rows.getString(1) + " x" + rows.getLong(2));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return duplicated;
  }

  static boolean await(BooleanSupplier done, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  static List<String> ids(String prefix, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(prefix + i);
    }
    return ids;
  }
}
