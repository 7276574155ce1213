package dev.idempo.spring.security;

import dev.idempo.Scope;
import dev.idempo.http.IncomingRequest;
import dev.idempo.http.TenantSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The tenant is the name of the principal Spring Security authenticated for the current request
 * ({@code SecurityContextHolder}), so a client whose token is refreshed, or who signs in again,
 * keeps its keys; {@code idempo.tenant.source=spring-security}. No authentication, an
 * unauthenticated one or the anonymous token is no tenant: a keyed request then gets 400 {@code
 * tenant-required}. The Idempo filter must run after Spring Security's filter chain (it does by
 * default: {@code idempo.filter.order=0}, security at -100). A name longer than {@value
 * Scope#MAX_PART_LENGTH} characters is replaced by its SHA-256.
 *
 * <p>Needs {@code spring-security-core} on the class path. Stateless and thread-safe.
 */
public final class SpringSecurityTenantSource implements TenantSource {
  private static final SpringSecurityTenantSource INSTANCE = new SpringSecurityTenantSource();

  private SpringSecurityTenantSource() {}

  /** The source; it holds no state. */
  public static SpringSecurityTenantSource create() {
    return INSTANCE;
  }

  @Override
  public String tenant(IncomingRequest request) {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    if (authentication == null
        || !authentication.isAuthenticated()
        || authentication instanceof AnonymousAuthenticationToken) {
      return "";
    }
    String name = authentication.getName();
    if (name == null || name.isEmpty()) {
      return "";
    }
    return name.length() <= Scope.MAX_PART_LENGTH ? name : "sha256:" + sha256(name);
  }

  @Override
  public String requirement() {
    return "an authenticated Spring Security principal";
  }

  @Override
  public String toString() {
    return "spring-security";
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must support SHA-256", e);
    }
  }
}
