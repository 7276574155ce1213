package dev.idempo.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempo.spring.WebhookEndpoint;
import dev.idempo.spring.WebhookRegistration;
import dev.idempo.webhooks.Secret;
import dev.idempo.webhooks.StripeVerifier;
import dev.idempo.webhooks.WebhookEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Start-up checks of the webhook wiring: every mismatch fails the start naming what is wrong. */
class WebhookWiringTest {
  private final WebApplicationContextRunner runner =
      new WebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  IdempoAutoConfiguration.class, IdempoWebhooksAutoConfiguration.class));

  @TempDir Path directory;

  private String secretFile() throws Exception {
    return Files.writeString(directory.resolve("secret"), "whsec_wiring").toString();
  }

  @Configuration(proxyBeanMethods = false)
  static class LeasedHandler {
    @Bean
    Object stripeHandler() {
      return new Object() {
        @SuppressWarnings("unused") // found by its annotation and called reflectively
        @WebhookEndpoint("/hooks/stripe")
        void on(WebhookEvent event) {}
      };
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class TransactionalHandler {
    @Bean
    Object stripeHandler() {
      return new Object() {
        @SuppressWarnings("unused") // found by its annotation and called reflectively
        @WebhookEndpoint(path = "/hooks/stripe", transactional = true)
        void on(WebhookEvent event, java.sql.Connection connection) {}
      };
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class WrongParameters {
    @Bean
    Object stripeHandler() {
      return new Object() {
        @SuppressWarnings("unused") // found by its annotation; the wiring rejects its parameters
        @WebhookEndpoint("/hooks/stripe")
        void on(String body) {}
      };
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class RegistrationWithVerifier {
    @Bean
    WebhookRegistration stripe() {
      return WebhookRegistration.of(
          "/hooks/stripe", StripeVerifier.builder(Secret.of("whsec_code")).build(), event -> {});
    }
  }

  /** Every message along the failure's cause chain. */
  private static String messages(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }

  @Test
  void noEndpointsNoReceiver() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(WebhookEndpoints.class).receiver()).isEmpty();
        });
  }

  @Test
  void anEntryWithAHandlerBuildsAReceiverWithTheRetention() throws Exception {
    runner
        .withUserConfiguration(LeasedHandler.class)
        .withPropertyValues(
            "idempo.webhooks.endpoints[0]=/hooks/stripe=stripe:file:" + secretFile(),
            "idempo.webhooks.retention=4d")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              var receiver = context.getBean(WebhookEndpoints.class).receiver().orElseThrow();
              assertThat(receiver.paths()).containsExactly("/hooks/stripe");
              assertThat(receiver.retention()).isEqualTo(java.time.Duration.ofDays(4));
            });
  }

  @Test
  void aRegistrationMayBringItsOwnVerifier() {
    runner
        .withUserConfiguration(RegistrationWithVerifier.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(WebhookEndpoints.class).receiver().orElseThrow().paths())
                  .containsExactly("/hooks/stripe");
            });
  }

  @Test
  void anEntryWithoutAHandlerFailsTheStart() throws Exception {
    runner
        .withPropertyValues(
            "idempo.webhooks.endpoints[0]=/hooks/stripe=stripe:file:" + secretFile())
        .run(
            context ->
                assertThat(messages(context.getStartupFailure()))
                    .contains("configures /hooks/stripe but no handler is declared"));
  }

  @Test
  void aHandlerWithoutAnEntryFailsTheStart() {
    runner
        .withUserConfiguration(LeasedHandler.class)
        .run(
            context ->
                assertThat(messages(context.getStartupFailure()))
                    .contains("has no idempo.webhooks.endpoints entry for /hooks/stripe"));
  }

  @Test
  void aHandlerWithWrongParametersFailsTheStart() {
    runner
        .withUserConfiguration(WrongParameters.class)
        .run(
            context ->
                assertThat(messages(context.getStartupFailure()))
                    .contains("must take one WebhookEvent"));
  }

  @Test
  void aBadEntryNamesThePropertyAndNotTheSecret() {
    runner
        .withUserConfiguration(LeasedHandler.class)
        .withPropertyValues("idempo.webhooks.endpoints[0]=/hooks/stripe=strype:env:TOP_SECRET")
        .run(
            context ->
                assertThat(messages(context.getStartupFailure()))
                    .contains("idempo.webhooks.endpoints[0]")
                    .contains("unknown provider")
                    .doesNotContain("TOP_SECRET"));
  }

  @Test
  void aTransactionalHandlerWithoutADataSourceFailsTheStart() throws Exception {
    runner
        .withUserConfiguration(TransactionalHandler.class)
        .withPropertyValues(
            "idempo.webhooks.endpoints[0]=/hooks/stripe=stripe:file:" + secretFile())
        .run(
            context ->
                assertThat(messages(context.getStartupFailure()))
                    .contains("needs exactly one DataSource"));
  }
}
