package dev.idempo.spring.autoconfigure;

import dev.idempo.http.TenantSource;
import java.util.Locale;
import org.springframework.util.ClassUtils;

/**
 * {@code idempo.tenant.source} (and the older {@code idempo.tenant.header}) as a {@link
 * TenantSource}: the vocabulary of {@link TenantSource#parse} plus {@code spring-security}. A bad
 * value fails the start-up naming the property. Stateless.
 */
final class TenantProperties {
  private static final String SECURITY_CONTEXT =
      "org.springframework.security.core.context.SecurityContextHolder";
  private static final String PROPERTY = "idempo.tenant.source";

  private TenantProperties() {}

  static TenantSource source(String source, String header) {
    String spec = source == null || source.isBlank() ? "authorization" : source.trim();
    String kind = spec.toLowerCase(Locale.ROOT);
    if (kind.equals("header")) {
      if (header == null || header.isBlank()) {
        throw new IllegalStateException(
            PROPERTY
                + "=header needs idempo.tenant.header, the header naming the tenant (or write"
                + " "
                + PROPERTY
                + "=header:NAME)");
      }
      spec = "header:" + header.trim();
    }
    if (kind.equals("spring-security")) {
      if (!ClassUtils.isPresent(SECURITY_CONTEXT, TenantProperties.class.getClassLoader())) {
        throw new IllegalStateException(
            PROPERTY
                + "=spring-security needs Spring Security (spring-security-core) on the class"
                + " path");
      }
      return dev.idempo.spring.security.SpringSecurityTenantSource.create();
    }
    try {
      return TenantSource.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          PROPERTY + ": " + e.getMessage() + " (or spring-security)", e);
    }
  }
}
