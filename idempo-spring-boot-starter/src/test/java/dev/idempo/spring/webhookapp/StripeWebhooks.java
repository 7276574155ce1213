package dev.idempo.spring.webhookapp;

import dev.idempo.spring.WebhookEndpoint;
import dev.idempo.webhooks.WebhookEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Stripe handlers: a leased one that fails for the event ids in {@link #failing} and waits on
 * {@link #hold} for those in {@link #held}, and a transactional one writing {@code
 * webhook_payments}, failing after its insert for the ids in {@link #failing}.
 */
@Component
public class StripeWebhooks {
  public static final Set<String> failing = ConcurrentHashMap.newKeySet();
  public static final Set<String> held = ConcurrentHashMap.newKeySet();
  public static volatile CountDownLatch hold = new CountDownLatch(0);
  public static volatile CountDownLatch entered = new CountDownLatch(0);

  private final WebhookRuns runs;

  StripeWebhooks(WebhookRuns runs) {
    this.runs = runs;
  }

  @WebhookEndpoint("/hooks/stripe")
  void on(WebhookEvent event) throws Exception {
    runs.record("stripe:" + event.id());
    if (held.contains(event.id())) {
      entered.countDown();
      hold.await(30, TimeUnit.SECONDS);
    }
    if (failing.remove(event.id())) {
      throw new IllegalStateException("the handler failed for " + event.id());
    }
  }

  @WebhookEndpoint(path = "/hooks/stripe-tx", transactional = true)
  void onInTransaction(WebhookEvent event, Connection connection) throws SQLException {
    runs.record("stripe-tx:" + event.id());
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO webhook_payments (event_id) VALUES (?)")) {
      insert.setString(1, event.id());
      insert.executeUpdate();
    }
    if (failing.remove(event.id())) {
      throw new IllegalStateException("failed after the insert for " + event.id());
    }
  }
}
