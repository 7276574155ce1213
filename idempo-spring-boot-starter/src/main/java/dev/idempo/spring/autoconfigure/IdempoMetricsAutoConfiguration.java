package dev.idempo.spring.autoconfigure;

import dev.idempo.spring.micrometer.MicrometerIdempotencyListener;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer metrics for Idempo when the application has a {@link MeterRegistry} bean (Spring Boot
 * Actuator, or its own): {@code idempo.requests{outcome}} and {@code
 * idempo.store.calls{call,exception}}; see {@link MicrometerIdempotencyListener}. Off with {@code
 * idempo.metrics.enabled=false}.
 */
// Its signatures name Micrometer, an optional dependency (requires static): who uses it brings it.
@SuppressWarnings("exports")
@AutoConfiguration(
    beforeName = "dev.idempo.spring.autoconfigure.IdempoAutoConfiguration",
    afterName = {
      "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnProperty(
    prefix = "idempo",
    name = {"enabled", "metrics.enabled"},
    matchIfMissing = true)
public class IdempoMetricsAutoConfiguration {
  /** Created by Spring Boot when the auto-configuration applies. */
  public IdempoMetricsAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  MicrometerIdempotencyListener micrometerIdempotencyListener(MeterRegistry registry) {
    return new MicrometerIdempotencyListener(registry);
  }
}
