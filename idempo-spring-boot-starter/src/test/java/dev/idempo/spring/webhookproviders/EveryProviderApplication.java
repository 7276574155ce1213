package dev.idempo.spring.webhookproviders;

import dev.idempo.spring.WebhookEndpoint;
import dev.idempo.webhooks.WebhookEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.stereotype.Component;

/**
 * One {@code @WebhookEndpoint} per provider (Stripe, Standard Webhooks, Svix, GitHub, PayPal and a
 * generic HMAC scheme), each recording {@code provider:event id} per run; the verifiers come from
 * {@code idempo.webhooks.endpoints}. No DataSource: the deliveries dedupe on the in-memory store.
 */
@SpringBootApplication(exclude = DataSourceAutoConfiguration.class)
public class EveryProviderApplication {
  @Bean
  MeterRegistry meterRegistry() {
    return new SimpleMeterRegistry();
  }

  /** The handlers; {@link #runs} lists every run in order. Thread-safe. */
  @Component
  public static class Handlers {
    public final List<String> runs = new CopyOnWriteArrayList<>();

    private void record(WebhookEvent event) {
      runs.add(event.provider() + ":" + event.id());
    }

    @WebhookEndpoint("/hooks/stripe")
    void stripe(WebhookEvent event) {
      record(event);
    }

    @WebhookEndpoint("/hooks/sw")
    void standardWebhooks(WebhookEvent event) {
      record(event);
    }

    @WebhookEndpoint("/hooks/svix")
    void svix(WebhookEvent event) {
      record(event);
    }

    @WebhookEndpoint("/hooks/github")
    void github(WebhookEvent event) {
      record(event);
    }

    @WebhookEndpoint("/hooks/paypal")
    void paypal(WebhookEvent event) {
      record(event);
    }

    @WebhookEndpoint("/hooks/shop")
    void shop(WebhookEvent event) {
      record(event);
    }
  }
}
