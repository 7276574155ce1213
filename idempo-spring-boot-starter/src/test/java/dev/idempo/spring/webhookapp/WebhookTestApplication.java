package dev.idempo.spring.webhookapp;

import dev.idempo.spring.WebhookRegistration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The application the starter's webhook tests run: Stripe endpoints declared with
 * {@code @WebhookEndpoint} (leased and transactional) and a GitHub one as a {@link
 * WebhookRegistration} bean; the verifiers come from {@code idempo.webhooks.endpoints}.
 */
@SpringBootApplication
public class WebhookTestApplication {
  @Bean
  MeterRegistry meterRegistry() {
    return new SimpleMeterRegistry();
  }

  @Bean
  WebhookRegistration githubDeliveries(WebhookRuns runs) {
    return WebhookRegistration.of("/hooks/github", event -> runs.record("github:" + event.id()));
  }
}
