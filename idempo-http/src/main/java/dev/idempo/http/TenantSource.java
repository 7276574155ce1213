package dev.idempo.http;

import dev.idempo.Scope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Whose key this is: the tenant part of the {@link Scope}, so one caller's key can never replay
 * another caller's response. Implementations must be thread-safe and quick; they may read any
 * header (say, a principal a security layer resolved) but never the body. A source answers at most
 * {@value Scope#MAX_PART_LENGTH} characters, or {@code ""} for "no tenant".
 *
 * <p>The default, {@link #authorizationHash()}, keys on the {@code Authorization} header. A
 * client whose credentials change between retries (an OAuth access token refreshed in between)
 * is then a new tenant and its retry runs again: where principals outlive credentials, use a
 * source that answers the authenticated principal.
 */
@FunctionalInterface
public interface TenantSource {
  /**
   * The tenant of {@code request}, or {@code ""} for none.
   *
   * @return 0 to {@value Scope#MAX_PART_LENGTH} characters, never null
   */
  String tenant(IncomingRequest request);

  /**
   * The default: {@code "authorization:"} plus the SHA-256 (hex) of the {@code Authorization}
   * header's values when present, else no tenant. The credential itself is never stored.
   */
  static TenantSource authorizationHash() {
    return request -> {
      List<String> values = request.headers("Authorization");
      return values.isEmpty() ? "" : "authorization:" + sha256(values);
    };
  }

  /**
   * The value of header {@code name} (several values joined with {@code ", "}), else no tenant. A
   * value longer than {@value Scope#MAX_PART_LENGTH} characters is replaced by {@code "sha256:"}
   * plus its hash. Use it only for a header the caller cannot choose freely (one set by an
   * authenticating proxy).
   *
   * @throws IllegalArgumentException if {@code name} is not an HTTP token
   */
  static TenantSource header(String name) {
    Objects.requireNonNull(name, "name must not be null");
    if (!CapturedResponse.isToken(name)) {
      throw new IllegalArgumentException("tenant header name must be an HTTP token, was \"" + name + "\"");
    }
    return request -> {
      List<String> values = request.headers(name);
      if (values.isEmpty()) {
        return "";
      }
      String value = String.join(", ", values);
      return value.length() <= Scope.MAX_PART_LENGTH ? value : "sha256:" + sha256(values);
    };
  }

  /** No tenant: every caller shares one key space. For single-tenant services only. */
  static TenantSource none() {
    return request -> "";
  }

  private static String sha256(List<String> values) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must support SHA-256", e);
    }
    for (String value : values) {
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      digest.update(new byte[] {(byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16), (byte) (bytes.length >>> 8), (byte) bytes.length});
      digest.update(bytes);
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
