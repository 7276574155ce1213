package dev.idempo.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempo.http.TenantSource;
import dev.idempo.spring.Idempotent;
import dev.idempo.spring.security.SpringSecurityTenantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.http.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.DispatcherServletAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.WebMvcAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code idempo.tenant.source}: the gateway's vocabulary plus spring-security, checked at start.
 */
class TenantPropertiesTest {
  private final WebApplicationContextRunner runner =
      new WebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  IdempoAutoConfiguration.class,
                  JacksonAutoConfiguration.class,
                  HttpMessageConvertersAutoConfiguration.class,
                  DispatcherServletAutoConfiguration.class,
                  WebMvcAutoConfiguration.class))
          .withUserConfiguration(Things.class);

  @RestController
  static class Things {
    @PostMapping("/things")
    @Idempotent
    String create() {
      return "";
    }
  }

  private void assertSource(String property, String expected) {
    WebApplicationContextRunner configured =
        property == null ? runner : runner.withPropertyValues(property);
    configured.run(
        context -> {
          assertThat(context).hasNotFailed();
          TenantSource source =
              context
                  .getBean(IdempotentHandlers.class)
                  .all()
                  .iterator()
                  .next()
                  .route()
                  .tenantSource();
          assertThat(source.toString()).isEqualTo(expected);
        });
  }

  @Test
  void everySourceOfTheVocabularyIsAccepted() {
    assertSource(null, "authorization");
    assertSource("idempo.tenant.source=AUTHORIZATION", "authorization");
    assertSource("idempo.tenant.source=header:X-User-Id", "header:X-User-Id");
    assertSource("idempo.tenant.source=cookie:SESSION", "cookie:SESSION");
    assertSource("idempo.tenant.source=tls-subject", "tls-subject");
    assertSource("idempo.tenant.source=none", "none");
    assertSource(
        "idempo.tenant.source=jwt:sub?jwks=https://issuer.example/jwks.json&aud=api",
        "jwt:sub?jwks=https://issuer.example/jwks.json&aud=api");
  }

  @Test
  void theOlderHeaderPropertyStillWorks() {
    runner
        .withPropertyValues("idempo.tenant.source=header", "idempo.tenant.header=X-Tenant")
        .run(
            context ->
                assertThat(
                        context
                            .getBean(IdempotentHandlers.class)
                            .all()
                            .iterator()
                            .next()
                            .route()
                            .tenantSource())
                    .hasToString("header:X-Tenant"));
  }

  @Test
  void springSecurityNamesTheAuthenticatedPrincipal() {
    runner
        .withPropertyValues("idempo.tenant.source=spring-security")
        .run(
            context ->
                assertThat(
                        context
                            .getBean(IdempotentHandlers.class)
                            .all()
                            .iterator()
                            .next()
                            .route()
                            .tenantSource())
                    .isSameAs(SpringSecurityTenantSource.create()));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "kerberos|idempo.tenant.source: tenant source must be authorization, header:NAME",
        "header|idempo.tenant.source=header needs idempo.tenant.header",
        "jwt:sub|idempo.tenant.source: tenant source jwt needs jwks=LOCATION",
        "jwt:sub?jwks=file:/no/such/jwks.json|cannot read the JWKS file:/no/such/jwks.json",
      })
  void aBadSourceFailsTheStartNamingTheProperty(String source, String message) {
    runner
        .withPropertyValues("idempo.tenant.source=" + source)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure()).hasStackTraceContaining(message);
            });
  }
}
