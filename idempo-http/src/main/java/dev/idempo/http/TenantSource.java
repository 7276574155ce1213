package dev.idempo.http;

import dev.idempo.Scope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * Whose key this is: the tenant part of the {@link Scope}, so one caller's key can never replay
 * another caller's response. Implementations must be thread-safe and quick; they may read any
 * header (say, a principal a security layer resolved) but never the body. A source answers at most
 * {@value Scope#MAX_PART_LENGTH} characters, or {@code ""} when it cannot tell whose request this
 * is.
 *
 * <p>A guarded request with a key whose tenant is {@code ""} is refused with 400 {@link
 * ProblemType#TENANT_REQUIRED}, and nothing is claimed or run, unless the source {@link
 * #sharesOneKeySpace() shares one key space} ({@link #none()}): callers who cannot be told apart
 * must never share stored responses.
 *
 * <p>Choosing a source. The default, {@link #authorizationHash()}, keys on the {@code
 * Authorization} header. A client whose credentials change between retries (an OAuth access token
 * refreshed in between, a rotated API key) is then a new tenant and its retry runs again. Where
 * principals outlive credentials, pick a source that answers the principal: the verified {@code
 * sub} of a JWT ({@link JwtTenantSource}), a header set by a trusted authenticating proxy ({@link
 * #header}), the TLS client certificate's subject ({@link #tlsClientSubject()}), or in Spring the
 * authenticated principal ({@code idempo.tenant.source=spring-security}). {@link #parse} reads the
 * same choices from text: the gateway's {@code --tenant} flag and the starter's {@code
 * idempo.tenant.source} property.
 */
@FunctionalInterface
public interface TenantSource {
  /**
   * The tenant of {@code request}, or {@code ""} when it cannot be determined.
   *
   * @return 0 to {@value Scope#MAX_PART_LENGTH} characters, never null
   */
  String tenant(IncomingRequest request);

  /**
   * True when {@code ""} is an answer rather than a failure: every caller shares one key space and
   * requests are never refused for want of a tenant. Only {@link #none()} says so by default.
   */
  default boolean sharesOneKeySpace() {
    return false;
  }

  /**
   * What a request must carry for this source to find its tenant, for the {@link
   * ProblemType#TENANT_REQUIRED} problem: e.g. {@code "an Authorization header"}.
   */
  default String requirement() {
    return "credentials this service recognizes";
  }

  /**
   * The detail of the 400 {@link ProblemType#TENANT_REQUIRED} problem for a request {@code source}
   * found no tenant in: what the request lacks, and which setting chooses another source.
   */
  static String missingTenantDetail(TenantSource source) {
    return "Whose Idempotency-Key this is cannot be determined: the request needs "
        + source.requirement()
        + ", so it was not run. Keys of callers who cannot be told apart are never shared: the"
        + " operator chooses where the tenant comes from with the gateway's --tenant flag or the"
        + " idempo.tenant.source property (authorization, header:NAME, cookie:NAME,"
        + " jwt:CLAIM?jwks=URL, tls-subject; none for one key space shared by every caller).";
  }

  /**
   * The default: {@code "authorization:"} plus the SHA-256 (hex) of the {@code Authorization}
   * header's values when present, else no tenant. The credential itself is never stored. A new
   * credential (a refreshed token, a rotated key) is a new tenant.
   */
  static TenantSource authorizationHash() {
    return new HashedTenantSource() {
      @Override
      public String tenant(IncomingRequest request) {
        List<String> values = request.headers("Authorization");
        return values.isEmpty() ? "" : "authorization:" + sha256(values);
      }

      @Override
      public boolean present(IncomingRequest request) {
        return !request.headers("Authorization").isEmpty();
      }

      @Override
      public String requirement() {
        return "an Authorization header";
      }

      @Override
      public String toString() {
        return "authorization";
      }
    };
  }

  /**
   * The value of header {@code name} (several values joined with {@code ", "}), else no tenant. A
   * value longer than {@value Scope#MAX_PART_LENGTH} characters is replaced by {@code "sha256:"}
   * plus its hash. Use it only for a header the caller cannot choose freely: one an authenticating
   * proxy sets after removing whatever the caller sent.
   *
   * @throws IllegalArgumentException if {@code name} is not an HTTP token
   */
  static TenantSource header(String name) {
    Objects.requireNonNull(name, "name must not be null");
    if (!CapturedResponse.isToken(name)) {
      throw new IllegalArgumentException(
          "tenant header name must be an HTTP token, was \"" + name + "\"");
    }
    return new TenantSource() {
      @Override
      public String tenant(IncomingRequest request) {
        List<String> values = request.headers(name);
        if (values.isEmpty()) {
          return "";
        }
        return bounded(String.join(", ", values), values);
      }

      @Override
      public String requirement() {
        return "a " + name + " header (set by the authenticating proxy)";
      }

      @Override
      public String toString() {
        return "header:" + name;
      }
    };
  }

  /**
   * {@code "cookie:"} plus the SHA-256 (hex) of cookie {@code name}'s values in the {@code Cookie}
   * header (a session cookie), else no tenant. The value itself is never stored; a new session is a
   * new tenant.
   *
   * @throws IllegalArgumentException if {@code name} is not an HTTP token
   */
  static TenantSource cookie(String name) {
    Objects.requireNonNull(name, "name must not be null");
    if (!CapturedResponse.isToken(name)) {
      throw new IllegalArgumentException(
          "tenant cookie name must be an HTTP token, was \"" + name + "\"");
    }
    return new HashedTenantSource() {
      @Override
      public String tenant(IncomingRequest request) {
        List<String> values = CookieHeader.values(request, name);
        return values.isEmpty() ? "" : "cookie:" + sha256(values);
      }

      @Override
      public boolean present(IncomingRequest request) {
        return !CookieHeader.values(request, name).isEmpty();
      }

      @Override
      public String requirement() {
        return "a " + name + " cookie";
      }

      @Override
      public String toString() {
        return "cookie:" + name;
      }
    };
  }

  /**
   * {@code "tls:"} plus the subject (RFC 2253) of the TLS client certificate the server verified
   * ({@link IncomingRequest#clientCertificates()}), else no tenant. Only where TLS is terminated by
   * the server running Idempo, with client certificates checked against a trust store.
   */
  static TenantSource tlsClientSubject() {
    return new TenantSource() {
      @Override
      public String tenant(IncomingRequest request) {
        List<X509Certificate> chain = request.clientCertificates();
        if (chain.isEmpty()) {
          return "";
        }
        String subject = chain.get(0).getSubjectX500Principal().getName(X500Principal.RFC2253);
        return subject.isEmpty() ? "" : bounded("tls:" + subject, List.of(subject));
      }

      @Override
      public String requirement() {
        return "a TLS client certificate";
      }

      @Override
      public String toString() {
        return "tls-subject";
      }
    };
  }

  /** No tenant: every caller shares one key space. For single-tenant services only. */
  static TenantSource none() {
    return new TenantSource() {
      @Override
      public String tenant(IncomingRequest request) {
        return "";
      }

      @Override
      public boolean sharesOneKeySpace() {
        return true;
      }

      @Override
      public String requirement() {
        return "nothing";
      }

      @Override
      public String toString() {
        return "none";
      }
    };
  }

  /**
   * The source {@code spec} names, as the gateway's {@code --tenant} flag and the starter's {@code
   * idempo.tenant.source} property take it:
   *
   * <ul>
   *   <li>{@code authorization}: {@link #authorizationHash()};
   *   <li>{@code header:NAME}: {@link #header};
   *   <li>{@code cookie:NAME}: {@link #cookie};
   *   <li>{@code jwt:CLAIM?jwks=LOCATION[&iss=ISSUER][&aud=AUDIENCE][&header=NAME|&cookie=NAME]
   *       [&skew=SECONDS]}: a {@link JwtTenantSource} (the token from {@code Authorization: Bearer}
   *       unless a header or cookie is named; parameter values percent-decoded, so a JWKS URL with
   *       a query is written with {@code %3F} and {@code %26});
   *   <li>{@code tls-subject}: {@link #tlsClientSubject()};
   *   <li>{@code none}: {@link #none()}.
   * </ul>
   *
   * @throws IllegalArgumentException naming the bad part if {@code spec} is none of these, or a
   *     JWKS file cannot be read
   */
  static TenantSource parse(String spec) {
    return TenantSourceSpec.parse(spec);
  }

  /** {@code value}, or {@code "sha256:"} plus the hash of {@code parts} when it is too long. */
  private static String bounded(String value, List<String> parts) {
    return value.length() <= Scope.MAX_PART_LENGTH ? value : "sha256:" + sha256(parts);
  }

  private static String sha256(List<String> values) {
    MessageDigest digest = ThreadSha256.get();
    byte[] length = new byte[4];
    for (String value : values) {
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      length[0] = (byte) (bytes.length >>> 24);
      length[1] = (byte) (bytes.length >>> 16);
      length[2] = (byte) (bytes.length >>> 8);
      length[3] = (byte) bytes.length;
      digest.update(length);
      digest.update(bytes);
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
