package dev.idempo.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.spring.WebhookEndpoint;
import dev.idempo.spring.WebhookRegistration;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.testsupport.TestDatabases;
import dev.idempo.webhooks.Secret;
import dev.idempo.webhooks.StripeVerifier;
import dev.idempo.webhooks.WebhookEvent;
import dev.idempo.webhooks.WebhookReceiver;
import dev.idempo.webhooks.WebhookRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.config.BeanPostProcessor;
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

  /** Sets the clock of {@link WebhookEndpoints} before it builds its receiver and store. */
  private static BeanPostProcessor clockOfEndpoints(InstantSource clock) {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessBeforeInitialization(Object bean, String name) {
        if (bean instanceof WebhookEndpoints endpoints) {
          endpoints.clock(clock);
        }
        return bean;
      }
    };
  }

  private static WebhookRequest stripeDelivery(String eventId, Instant at) throws Exception {
    String body = "{\"id\":\"" + eventId + "\"}";
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec("whsec_wiring".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String signature =
        HexFormat.of()
            .formatHex(
                mac.doFinal((at.getEpochSecond() + "." + body).getBytes(StandardCharsets.UTF_8)));
    return WebhookRequest.builder("POST", "/hooks/stripe")
        .header("Stripe-Signature", "t=" + at.getEpochSecond() + ",v1=" + signature)
        .body(body)
        .build();
  }

  /**
   * The JDBC store the starter makes for transactional endpoints had no purger: its expired event
   * ids stayed in the table for ever. They are now deleted on the HTTP records' schedule.
   */
  @Test
  void expiredEventIdsOfTheStoreMadeForTransactionalEndpointsArePurged() throws Exception {
    AtomicLong now = new AtomicLong(Instant.now().toEpochMilli());
    InstantSource clock = () -> Instant.ofEpochMilli(now.get());
    DataSource dataSource = TestDatabases.sqlite(directory.resolve("webhooks.db"));
    String secret = secretFile();
    runner
        .withUserConfiguration(TransactionalHandler.class)
        .withBean(DataSource.class, () -> dataSource)
        .withBean(BeanPostProcessor.class, () -> clockOfEndpoints(clock))
        .withPropertyValues(
            "idempo.webhooks.endpoints[0]=/hooks/stripe=stripe:file:" + secret,
            "idempo.webhooks.retention=3d")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              WebhookEndpoints endpoints = context.getBean(WebhookEndpoints.class);
              IdempotencyStore owned = endpoints.ownedStore().orElseThrow();
              assertThat(owned).isNotSameAs(context.getBean(IdempotencyStore.class));
              ExpiredRecordPurger purger =
                  context.getBean("idempoWebhookRecordPurger", ExpiredRecordPurger.class);
              assertThat(purger.isRunning()).isTrue();
              // The HTTP records' purger is still the one found by type.
              assertThat(context.getBean(ExpiredRecordPurger.class)).isNotSameAs(purger);
              WebhookReceiver receiver = endpoints.receiver().orElseThrow();

              assertThat(receiver.receive(stripeDelivery("evt_1", clock.instant())).status())
                  .isEqualTo(200);
              assertThat(purger.purgeOnce()).isZero();
              assertThat(rows(dataSource)).isEqualTo(1);

              now.addAndGet(Duration.ofDays(3).plusMinutes(1).toMillis());
              assertThat(purger.purgeOnce()).isEqualTo(1);
              assertThat(rows(dataSource)).isZero();
            });
    runner
        .withUserConfiguration(TransactionalHandler.class)
        .withBean(DataSource.class, () -> dataSource)
        .withPropertyValues(
            "idempo.webhooks.endpoints[0]=/hooks/stripe=stripe:file:" + secret,
            "idempo.store.purge-interval=0")
        .run(
            context ->
                assertThat(
                        context
                            .getBean("idempoWebhookRecordPurger", ExpiredRecordPurger.class)
                            .isRunning())
                    .isFalse());
  }

  @Test
  void aJdbcApplicationStoreServesTransactionalEndpointsWithoutASecondStore() throws Exception {
    DataSource dataSource = TestDatabases.sqlite(directory.resolve("shared.db"));
    JdbcIdempotencyStore store =
        JdbcIdempotencyStore.builder(dataSource).migrateSchema(true).build();
    runner
        .withUserConfiguration(TransactionalHandler.class)
        .withBean(DataSource.class, () -> dataSource)
        .withBean(IdempotencyStore.class, () -> store)
        .withPropertyValues(
            "idempo.webhooks.endpoints[0]=/hooks/stripe=stripe:file:" + secretFile())
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(WebhookEndpoints.class).ownedStore()).isEmpty();
            });
  }

  private static long rows(DataSource dataSource) {
    return TestDatabases.count(dataSource, "SELECT COUNT(*) FROM idempo_records");
  }
}
