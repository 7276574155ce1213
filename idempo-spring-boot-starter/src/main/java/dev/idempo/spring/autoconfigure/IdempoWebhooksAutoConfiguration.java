package dev.idempo.spring.autoconfigure;

import dev.idempo.spring.WebhookRegistration;
import dev.idempo.spring.micrometer.MicrometerWebhookListener;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.webhooks.WebhookListener;
import dev.idempo.webhooks.WebhookReceiver;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Webhook endpoints for servlet applications with {@code dev.idempo:idempo-webhooks} on the class
 * path: {@code idempo.webhooks.endpoints} entries (the gateway's {@code --webhook} syntax) matched
 * by path with {@link dev.idempo.spring.WebhookEndpoint} methods and {@link WebhookRegistration}
 * beans, served by a filter before Spring Security's; deliveries are deduplicated on the
 * application's {@link IdempotencyStore} (or, for transactional endpoints, in the DataSource's
 * transaction). Micrometer counters when a {@link MeterRegistry} bean exists ({@link
 * MicrometerWebhookListener}). Off with {@code idempo.webhooks.enabled=false}.
 */
// Its signatures name idempo-webhooks, an optional dependency (requires static): who uses it brings
// it.
@SuppressWarnings("exports")
@AutoConfiguration(
    afterName = {
      "dev.idempo.spring.autoconfigure.IdempoAutoConfiguration",
      "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({WebhookReceiver.class, Filter.class})
@ConditionalOnProperty(
    prefix = "idempo",
    name = {"enabled", "webhooks.enabled"},
    matchIfMissing = true)
@EnableConfigurationProperties(IdempoWebhooksProperties.class)
public class IdempoWebhooksAutoConfiguration {
  /** Created by Spring Boot when the auto-configuration applies. */
  public IdempoWebhooksAutoConfiguration() {}

  /** Static: a post-processor must exist before the beans it looks at. */
  @Bean
  static WebhookEndpointMethods idempoWebhookEndpointMethods() {
    return new WebhookEndpointMethods();
  }

  @Bean
  WebhookEndpoints idempoWebhookEndpoints(
      IdempoWebhooksProperties properties,
      WebhookEndpointMethods methods,
      ObjectProvider<WebhookRegistration> registrations,
      ObjectProvider<IdempotencyStore> stores,
      ObjectProvider<DataSource> dataSources,
      ObjectProvider<WebhookListener> listeners,
      ObjectProvider<IdempoProperties> idempoProperties) {
    return new WebhookEndpoints(
        properties, methods, registrations, stores, dataSources, listeners, idempoProperties);
  }

  @Bean
  FilterRegistrationBean<WebhookFilter> idempoWebhookFilter(
      WebhookEndpoints endpoints, IdempoWebhooksProperties properties) {
    FilterRegistrationBean<WebhookFilter> registration =
        new FilterRegistrationBean<>(new WebhookFilter(endpoints));
    registration.setName("idempoWebhookFilter");
    registration.setOrder(properties.getFilterOrder());
    registration.setDispatcherTypes(DispatcherType.REQUEST);
    registration.addUrlPatterns("/*");
    return registration;
  }

  /**
   * Deletes expired event ids from the store made for transactional endpoints ({@link
   * WebhookEndpoints#ownedStore()}), on the schedule of {@code idempo.store.purge-interval} and
   * {@code idempo.store.purge-batch-size} (validated where the HTTP records' purger reads them).
   * The application's own store is purged by that purger. Not an autowire candidate, so the HTTP
   * records' purger stays the one found by type.
   */
  @Bean(autowireCandidate = false)
  ExpiredRecordPurger idempoWebhookRecordPurger(
      WebhookEndpoints endpoints, ObjectProvider<IdempoProperties> idempoProperties) {
    IdempoProperties.Store store =
        idempoProperties.getIfAvailable(IdempoProperties::new).getStore();
    return new ExpiredRecordPurger(
        () -> endpoints.ownedStore().map(List::of).orElse(List.of()),
        store.getPurgeInterval(),
        store.getPurgeBatchSize());
  }

  /** The Micrometer counters, when the application has a registry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  @ConditionalOnBean(MeterRegistry.class)
  @ConditionalOnProperty(prefix = "idempo", name = "metrics.enabled", matchIfMissing = true)
  static class Metrics {
    @Bean
    @ConditionalOnMissingBean
    MicrometerWebhookListener micrometerWebhookListener(MeterRegistry registry) {
      return new MicrometerWebhookListener(registry);
    }
  }
}
