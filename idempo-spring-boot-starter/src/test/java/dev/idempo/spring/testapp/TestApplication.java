package dev.idempo.spring.testapp;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The application the starter's HTTP tests run: a few guarded handlers, leased and transactional.
 */
@SpringBootApplication
public class TestApplication {
  @Bean
  Executions executions() {
    return new Executions();
  }

  @Bean
  MeterRegistry meterRegistry() {
    return new SimpleMeterRegistry();
  }
}
