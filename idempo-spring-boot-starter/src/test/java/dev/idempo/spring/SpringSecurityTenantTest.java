package dev.idempo.spring;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.context.TestPropertySource;

/**
 * {@code idempo.tenant.source=spring-security}: the authenticated principal is the tenant, so a
 * caller keeps its keys across new credentials, and an anonymous caller is refused. A filter at
 * Spring Security's order stands in for its filter chain: it authenticates {@code X-Test-User}.
 */
@Import(SpringSecurityTenantTest.Authentication.class)
@TestPropertySource(properties = "idempo.tenant.source=spring-security")
class SpringSecurityTenantTest extends PostgresBackedTest {

  @TestConfiguration(proxyBeanMethods = false)
  static class Authentication {
    @Bean
    FilterRegistrationBean<Filter> testAuthentication() {
      Filter filter =
          (request, response, chain) -> {
            String user = ((HttpServletRequest) request).getHeader("X-Test-User");
            SecurityContextHolder.getContext()
                .setAuthentication(
                    user == null
                        ? new AnonymousAuthenticationToken(
                            "key",
                            "anonymousUser",
                            AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"))
                        : UsernamePasswordAuthenticationToken.authenticated(
                            user, "n/a", List.of()));
            try {
              chain.doFilter(request, response);
            } finally {
              SecurityContextHolder.clearContext();
            }
          };
      FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(filter);
      registration.setOrder(-100); // where Spring Security's chain runs
      return registration;
    }
  }

  @Test
  void thePrincipalIsTheTenantWhateverItsCredentials() {
    String key = UUID.randomUUID().toString();
    String order = "{\"item\":\"" + key + "\"}";

    HttpResponse<String> alice =
        http()
            .post(
                "/orders",
                order,
                "Idempotency-Key",
                key,
                "X-Test-User",
                "alice",
                "Authorization",
                "Bearer old");
    HttpResponse<String> aliceRefreshed =
        http()
            .post(
                "/orders",
                order,
                "Idempotency-Key",
                key,
                "X-Test-User",
                "alice",
                "Authorization",
                "Bearer new");
    HttpResponse<String> bob =
        http().post("/orders", order, "Idempotency-Key", key, "X-Test-User", "bob");

    assertThat(alice.statusCode()).isEqualTo(201);
    assertThat(Http.replayed(aliceRefreshed)).isTrue();
    assertThat(aliceRefreshed.body()).isEqualTo(alice.body());
    assertThat(Http.replayed(bob)).isFalse();
    assertThat(executions.count("orders:" + key)).isEqualTo(2);
  }

  @Test
  void anAnonymousCallerIsRefused() {
    String key = UUID.randomUUID().toString();

    HttpResponse<String> anonymous =
        http().post("/orders", "{\"item\":\"" + key + "\"}", "Idempotency-Key", key);

    assertThat(anonymous.statusCode()).isEqualTo(400);
    assertThat(anonymous.body())
        .contains("tenant-required")
        .contains("an authenticated Spring Security principal");
    assertThat(executions.count("orders:" + key)).isZero();
  }
}
