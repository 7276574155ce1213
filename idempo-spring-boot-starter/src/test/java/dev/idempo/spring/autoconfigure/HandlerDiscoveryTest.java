package dev.idempo.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempo.http.IdempotencyRoute;
import dev.idempo.http.RequestFingerprinter;
import dev.idempo.http.TenantSource;
import dev.idempo.spring.IdempotencyRouteCustomizer;
import dev.idempo.spring.Idempotent;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.http.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.DispatcherServletAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.WebMvcAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * How {@code @Idempotent} handlers become routes at start-up; misconfiguration fails the start-up
 * with a message naming the handler or the property.
 */
class HandlerDiscoveryTest {
  private final WebApplicationContextRunner runner =
      new WebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  IdempoAutoConfiguration.class,
                  JacksonAutoConfiguration.class,
                  HttpMessageConvertersAutoConfiguration.class,
                  DispatcherServletAutoConfiguration.class,
                  WebMvcAutoConfiguration.class));

  @RestController
  static class GetController {
    @GetMapping("/things")
    @Idempotent
    String things() {
      return "";
    }
  }

  @RestController
  static class BadLeaseController {
    @PostMapping("/things")
    @Idempotent(lease = "soon")
    String create() {
      return "";
    }
  }

  @RestController
  static class VoidTransactionalController {
    @PostMapping("/things")
    @Idempotent(transactional = true)
    void create() {}
  }

  @RestController
  static class TransactionalController {
    @PostMapping("/things")
    @Idempotent(transactional = true)
    String create() {
      return "";
    }
  }

  @RestController
  @Idempotent
  static class ClassLevelController {
    @GetMapping("/things")
    String list() {
      return "";
    }

    @PostMapping("/things")
    String create() {
      return "";
    }
  }

  @Test
  void idempotentOnAGetHandlerFails() {
    runner
        .withUserConfiguration(GetController.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .hasStackTraceContaining("GetController.things(..)")
                  .hasStackTraceContaining("safe methods never touch the idempotency store");
            });
  }

  @Test
  void aBadDurationFailsNamingTheAttribute() {
    runner
        .withUserConfiguration(BadLeaseController.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .hasStackTraceContaining("lease = \"soon\" is not a duration");
              assertThat(context.getStartupFailure())
                  .hasStackTraceContaining("BadLeaseController.create(..)");
            });
  }

  @Test
  void aBadDefaultFailsNamingTheProperty() {
    runner
        .withUserConfiguration(ClassLevelController.class)
        .withPropertyValues("idempo.defaults.retention=0s")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .hasStackTraceContaining("idempo.defaults.retention: retention must be between");
            });
  }

  @Test
  void aClassLevelAnnotationGuardsOnlyTheUnsafeHandlers() {
    runner
        .withUserConfiguration(ClassLevelController.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(IdempotentHandlers.class).all())
                  .singleElement()
                  .satisfies(
                      handler -> {
                        assertThat(handler.route().methods()).containsExactly("POST");
                        assertThat(handler.route().name()).isEqualTo("/things");
                      });
            });
  }

  @Test
  void customizersAndATenantSourceBeanShapeTheRoute() {
    TenantSource tenant = request -> "fixed";
    runner
        .withUserConfiguration(ClassLevelController.class)
        .withBean(TenantSource.class, () -> tenant)
        .withBean(
            IdempotencyRouteCustomizer.class,
            () ->
                (handler, route) ->
                    route.releasedStatuses().fingerprinter(RequestFingerprinter.CANONICAL_JSON))
        .withPropertyValues("idempo.defaults.retention=2h")
        .run(
            context -> {
              IdempotencyRoute route =
                  context.getBean(IdempotentHandlers.class).all().iterator().next().route();
              assertThat(route.releasedStatuses()).isEmpty();
              assertThat(route.fingerprinter()).isEqualTo(RequestFingerprinter.CANONICAL_JSON);
              assertThat(route.tenantSource()).isSameAs(tenant);
              assertThat(route.retention()).isEqualTo(Duration.ofHours(2));
            });
  }

  @Test
  void aTransactionalHandlerReturningNothingFails() {
    runner
        .withUserConfiguration(VoidTransactionalController.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure()).hasStackTraceContaining("returns nothing");
            });
  }

  @Test
  void aTransactionalHandlerWithoutADataSourceFails() {
    runner
        .withUserConfiguration(TransactionalController.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .hasStackTraceContaining("needs exactly one DataSource bean");
            });
  }

  @Test
  void redisWithoutAClientFails() {
    runner
        .withPropertyValues("idempo.store.type=redis")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .hasStackTraceContaining("idempo.store.type=redis needs a Redis client");
            });
  }

  @Test
  void jdbcWithoutADataSourceFails() {
    runner
        .withPropertyValues("idempo.store.type=jdbc")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .hasStackTraceContaining("idempo.store.type=jdbc needs exactly one DataSource");
            });
  }

  @Test
  void configurationMetadataIsGeneratedForIdeCompletion() throws Exception {
    try (var metadata =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(metadata).isNotNull();
      String json = new String(metadata.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(json)
          .contains(
              "\"idempo.store.type\"", "\"idempo.defaults.retention\"", "\"idempo.problem-base\"");
    }
  }
}
