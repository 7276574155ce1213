package dev.idempo.http;

import dev.idempo.Scope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The tenant is a claim (say {@code sub}) of a JSON Web Token whose signature checks against a
 * configured JSON Web Key Set, so a replay is only ever served to the principal the issuer vouched
 * for. An unverified claim is never trusted: a request whose token is missing, malformed, unsigned
 * ({@code alg: none}), signed with an algorithm that does not fit the key ({@code HS256} against an
 * RSA key), signed by a key not in the set, expired, not yet valid, or for another issuer or
 * audience has no tenant, and {@link HttpIdempotency} refuses it with 400 {@link
 * ProblemType#TENANT_REQUIRED}: a replay never reaches the upstream that would have refused a
 * forged token, so the check has to happen here.
 *
 * <p>Accepted algorithms: RS256, RS384, RS512, PS256, PS384, PS512 (RSA keys of 2048 bits or more),
 * ES256, ES384, ES512 (P-256, P-384, P-521) and EdDSA (Ed25519, Ed448), checked by the JDK's {@link
 * java.security.Signature}; a key whose JWK names an {@code alg} checks only that one. Tokens with
 * a {@code crit} header are refused (no extension is understood). {@code exp} is required; {@code
 * exp} and {@code nbf} are checked with a clock skew.
 *
 * <p>The key set is read from a {@code file:} path or an {@code https://} URL ({@code http://} only
 * on a loopback address). A file is read when the source is built, so a bad path fails at start-up;
 * a URL at the first request. Both are read again after the refresh interval, and when a token
 * names a {@code kid} the set lacks (at most every 30 s), so keys can rotate. A failed reload keeps
 * the keys it had and logs a warning.
 *
 * <p>Defaults: the token from {@code Authorization: Bearer}; no issuer or audience check; clock
 * skew 60 s; refresh every 5 minutes; the system clock. Thread-safe.
 */
public final class JwtTenantSource implements TenantSource {
  private static final System.Logger LOG = System.getLogger(JwtTenantSource.class.getName());

  /** The default tolerance for {@code exp} and {@code nbf}: 60 s. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);

  /** The default time after which the key set is read again: 5 minutes. */
  public static final Duration DEFAULT_REFRESH = Duration.ofMinutes(5);

  private static final int MAX_TOKEN_LENGTH = 16 * 1024;
  private static final int MAX_KEY_SET_BYTES = 1 << 20;
  private static final Duration MIN_RELOAD_INTERVAL = Duration.ofSeconds(30);
  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

  private final String claim;
  private final URI keySet;
  private final String issuer;
  private final String audience;
  private final String tokenHeader;
  private final String tokenCookie;
  private final Duration clockSkew;
  private final Duration refresh;
  private final InstantSource clock;
  private final Object reloading = new Object();
  private volatile Keys keys; // null until first loaded

  /** The key set as last read, and when it was read (or last tried). */
  private record Keys(List<JsonWebKey> keys, Instant readAt) {}

  private JwtTenantSource(Builder builder) {
    this.claim = builder.claim;
    this.keySet = builder.keySet;
    this.issuer = builder.issuer;
    this.audience = builder.audience;
    this.tokenHeader = builder.tokenHeader;
    this.tokenCookie = builder.tokenCookie;
    this.clockSkew = builder.clockSkew;
    this.refresh = builder.refresh;
    this.clock = builder.clock;
    if ("file".equals(keySet.getScheme())) {
      try {
        keys = new Keys(JsonWebKey.parseSet(read(keySet)), clock.instant());
      } catch (IOException | UncheckedIOException e) {
        throw new IllegalArgumentException(
            "cannot read the JWKS " + keySet + ": " + e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "the JWKS " + keySet + " is not a valid JWK Set: " + e.getMessage(), e);
      }
    }
  }

  /**
   * A builder for a source answering claim {@code claim} of tokens signed by a key of the set at
   * {@code keySet}.
   *
   * @param keySet a {@code file:} URI, an {@code https://} URL, or an {@code http://} URL on a
   *     loopback address
   * @throws IllegalArgumentException if {@code claim} is empty or {@code keySet} is none of these
   */
  public static Builder builder(String claim, URI keySet) {
    return new Builder(claim, keySet);
  }

  @Override
  public String tenant(IncomingRequest request) {
    String token = token(request);
    if (token == null) {
      return "";
    }
    try {
      return verifiedClaim(token).orElse("");
    } catch (IllegalArgumentException e) {
      LOG.log(System.Logger.Level.DEBUG, () -> "JWT refused, no tenant: " + e.getMessage());
      return "";
    }
  }

  @Override
  public String requirement() {
    // The key set's location stays out: a file path is none of the caller's business.
    return "a JWT signed by a trusted key, with claim "
        + claim
        + (tokenCookie != null
            ? " in cookie " + tokenCookie
            : tokenHeader != null ? " in header " + tokenHeader : " (Authorization: Bearer)")
        + " that is valid now"
        + (issuer != null ? ", from issuer " + issuer : "")
        + (audience != null ? ", for audience " + audience : "");
  }

  @Override
  public String toString() {
    return "jwt:"
        + claim
        + "?jwks="
        + keySet
        + (issuer != null ? "&iss=" + issuer : "")
        + (audience != null ? "&aud=" + audience : "");
  }

  private String token(IncomingRequest request) {
    List<String> values;
    if (tokenCookie != null) {
      values = CookieHeader.values(request, tokenCookie);
    } else {
      values = request.headers(tokenHeader != null ? tokenHeader : "Authorization");
    }
    if (values.size() != 1) {
      return null; // none, or two that could disagree
    }
    String value = values.get(0).trim();
    if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      value = value.substring(7).trim();
    } else if (tokenHeader == null && tokenCookie == null) {
      return null; // Authorization with another scheme (Basic, ...)
    }
    return value.isEmpty() || value.length() > MAX_TOKEN_LENGTH ? null : value;
  }

  /** The claim of a token that passes every check; throws naming the first check it fails. */
  private Optional<String> verifiedClaim(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a JWS in compact form (3 parts)");
    }
    Map<String, Object> header = JsonReader.object(utf8(decode(parts[0], "header")));
    Object alg = header.get("alg");
    JwsAlgorithm algorithm =
        JwsAlgorithm.named(alg instanceof String name ? name : "")
            .orElseThrow(() -> new IllegalArgumentException("alg " + alg + " is not accepted"));
    if (header.containsKey("crit")) {
      throw new IllegalArgumentException("crit header extensions are not understood");
    }
    Object kid = header.get("kid");
    if (kid != null && !(kid instanceof String)) {
      throw new IllegalArgumentException("kid must be a string");
    }
    byte[] signature = decode(parts[2], "signature");
    byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    List<JsonWebKey> candidates = candidates(algorithm, (String) kid, false);
    if (candidates.isEmpty() && kid != null) {
      candidates = candidates(algorithm, (String) kid, true); // a new key: read the set again
    }
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException(
          "no key " + (kid != null ? "\"" + kid + "\" " : "") + "for " + algorithm);
    }
    boolean verified = false;
    for (JsonWebKey key : candidates) {
      if (algorithm.verify(key, input, signature)) {
        verified = true;
        break;
      }
    }
    if (!verified) {
      throw new IllegalArgumentException("bad signature");
    }
    Map<String, Object> claims = JsonReader.object(utf8(decode(parts[1], "payload")));
    checkTimes(claims);
    if (issuer != null && !issuer.equals(claims.get("iss"))) {
      throw new IllegalArgumentException("iss is not " + issuer);
    }
    if (audience != null && !audiences(claims.get("aud")).contains(audience)) {
      throw new IllegalArgumentException("aud does not include " + audience);
    }
    Object value = claims.get(claim);
    String text;
    if (value instanceof String string) {
      text = string;
    } else if (value instanceof BigDecimal number && number.stripTrailingZeros().scale() <= 0) {
      text = number.toBigInteger().toString();
    } else {
      throw new IllegalArgumentException("claim " + claim + " is missing or not a string");
    }
    if (text.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(text.length() <= Scope.MAX_PART_LENGTH ? text : "sha256:" + sha256(text));
  }

  private void checkTimes(Map<String, Object> claims) {
    long now = clock.millis();
    long skew = clockSkew.toMillis();
    Object exp = claims.get("exp");
    if (!(exp instanceof BigDecimal expires)) {
      throw new IllegalArgumentException("exp is missing or not a number");
    }
    if (now >= millis(expires) + skew) {
      throw new IllegalArgumentException("expired at " + expires);
    }
    Object nbf = claims.get("nbf");
    if (nbf != null) {
      if (!(nbf instanceof BigDecimal notBefore)) {
        throw new IllegalArgumentException("nbf is not a number");
      }
      if (now + skew < millis(notBefore)) {
        throw new IllegalArgumentException("not valid before " + notBefore);
      }
    }
  }

  private static long millis(BigDecimal seconds) {
    BigDecimal millis = seconds.movePointRight(3);
    if (millis.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0) {
      return Long.MAX_VALUE / 2;
    }
    if (millis.compareTo(BigDecimal.valueOf(Long.MIN_VALUE / 2)) < 0) {
      return Long.MIN_VALUE / 2;
    }
    return millis.longValue();
  }

  private static List<Object> audiences(Object aud) {
    if (aud instanceof String single) {
      return List.of(single);
    }
    if (aud instanceof List<?> many) {
      return new ArrayList<>(many);
    }
    return List.of();
  }

  /**
   * The keys that may check {@code algorithm} (with {@code kid} if named), reading the set if due.
   */
  private List<JsonWebKey> candidates(JwsAlgorithm algorithm, String kid, boolean unknownKid) {
    List<JsonWebKey> fitting = new ArrayList<>();
    for (JsonWebKey key : currentKeys(unknownKid)) {
      if ((kid == null || kid.equals(key.keyId())) && algorithm.fits(key)) {
        fitting.add(key);
      }
    }
    return fitting;
  }

  private List<JsonWebKey> currentKeys(boolean unknownKid) {
    Keys current = keys;
    Instant now = clock.instant();
    if (current != null && !due(current, now, unknownKid)) {
      return current.keys();
    }
    synchronized (reloading) {
      current = keys;
      if (current != null && !due(current, now, unknownKid)) {
        return current.keys();
      }
      List<JsonWebKey> previous = current == null ? List.of() : current.keys();
      try {
        keys = new Keys(JsonWebKey.parseSet(read(keySet)), now);
      } catch (IOException | RuntimeException e) {
        LOG.log(
            System.Logger.Level.WARNING,
            "cannot read the JWKS "
                + keySet
                + " (keeping "
                + previous.size()
                + " keys): "
                + e.getMessage());
        keys = new Keys(previous, now); // try again after the reload interval, not on every request
      }
      return keys.keys();
    }
  }

  private boolean due(Keys current, Instant now, boolean unknownKid) {
    Duration age = Duration.between(current.readAt(), now);
    Duration interval =
        unknownKid
            ? (refresh.compareTo(MIN_RELOAD_INTERVAL) < 0 ? refresh : MIN_RELOAD_INTERVAL)
            : refresh;
    return age.compareTo(interval) >= 0;
  }

  private static String read(URI location) throws IOException {
    if ("file".equals(location.getScheme())) {
      Path path = Path.of(location);
      if (Files.size(path) > MAX_KEY_SET_BYTES) {
        throw new IOException("larger than " + MAX_KEY_SET_BYTES + " bytes");
      }
      return Files.readString(path, StandardCharsets.UTF_8);
    }
    HttpURLConnection connection = (HttpURLConnection) location.toURL().openConnection();
    connection.setInstanceFollowRedirects(false);
    connection.setConnectTimeout((int) FETCH_TIMEOUT.toMillis());
    connection.setReadTimeout((int) FETCH_TIMEOUT.toMillis());
    connection.setRequestProperty("Accept", "application/jwk-set+json, application/json");
    try {
      int status = connection.getResponseCode();
      if (status != 200) {
        throw new IOException("HTTP " + status);
      }
      try (InputStream in = connection.getInputStream()) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        int read;
        while ((read = in.read(chunk)) != -1) {
          out.write(chunk, 0, read);
          if (out.size() > MAX_KEY_SET_BYTES) {
            throw new IOException("larger than " + MAX_KEY_SET_BYTES + " bytes");
          }
        }
        return out.toString(StandardCharsets.UTF_8);
      }
    } finally {
      connection.disconnect();
    }
  }

  private static byte[] decode(String part, String what) {
    if (part.isEmpty() || part.indexOf('=') >= 0) {
      throw new IllegalArgumentException(what + " is empty or padded");
    }
    try {
      return Base64.getUrlDecoder().decode(part);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not base64url");
    }
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static String sha256(String text) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must support SHA-256", e);
    }
  }

  /**
   * Configures a {@link JwtTenantSource}; each setter rejects bad values at once. Not thread-safe.
   */
  public static final class Builder {
    private final String claim;
    private final URI keySet;
    private String issuer;
    private String audience;
    private String tokenHeader;
    private String tokenCookie;
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;
    private Duration refresh = DEFAULT_REFRESH;
    private InstantSource clock = InstantSource.system();

    private Builder(String claim, URI keySet) {
      Objects.requireNonNull(claim, "claim must not be null");
      if (claim.isBlank()) {
        throw new IllegalArgumentException(
            "the JWT claim naming the tenant must not be empty (e.g. sub)");
      }
      this.claim = claim;
      this.keySet = checkKeySet(Objects.requireNonNull(keySet, "keySet must not be null"));
    }

    /** Only tokens whose {@code iss} is exactly {@code issuer}; any issuer by default. */
    public Builder issuer(String issuer) {
      this.issuer = nonEmpty(issuer, "issuer");
      return this;
    }

    /** Only tokens whose {@code aud} is or includes {@code audience}; any audience by default. */
    public Builder audience(String audience) {
      this.audience = nonEmpty(audience, "audience");
      return this;
    }

    /**
     * Reads the token from header {@code name} (with or without {@code Bearer}) instead of {@code
     * Authorization: Bearer}.
     *
     * @throws IllegalArgumentException if {@code name} is not an HTTP token
     */
    public Builder tokenHeader(String name) {
      TenantSource.header(name); // validates
      this.tokenHeader = name;
      this.tokenCookie = null;
      return this;
    }

    /**
     * Reads the token from cookie {@code name} instead of {@code Authorization: Bearer}.
     *
     * @throws IllegalArgumentException if {@code name} is not an HTTP token
     */
    public Builder tokenCookie(String name) {
      TenantSource.cookie(name); // validates
      this.tokenCookie = name;
      this.tokenHeader = null;
      return this;
    }

    /** How far {@code exp} and {@code nbf} may be off: 0 to 5 minutes, 60 s by default. */
    public Builder clockSkew(Duration clockSkew) {
      Objects.requireNonNull(clockSkew, "clockSkew must not be null");
      if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException(
            "clock skew must be between 0 and 5 minutes, was " + clockSkew);
      }
      this.clockSkew = clockSkew;
      return this;
    }

    /** How often the key set is read again: 1 s to 1 day, 5 minutes by default. */
    public Builder refresh(Duration refresh) {
      Objects.requireNonNull(refresh, "refresh must not be null");
      if (refresh.compareTo(Duration.ofSeconds(1)) < 0
          || refresh.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("refresh must be between 1 s and 1 day, was " + refresh);
      }
      this.refresh = refresh;
      return this;
    }

    /** The clock for {@code exp}, {@code nbf} and refreshes; the system clock by default. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /**
     * Builds the source, reading a {@code file:} key set now.
     *
     * @throws IllegalArgumentException if a key set file cannot be read or is not a JWK Set
     */
    public JwtTenantSource build() {
      return new JwtTenantSource(this);
    }

    private static String nonEmpty(String value, String name) {
      Objects.requireNonNull(value, () -> name + " must not be null");
      if (value.isEmpty()) {
        throw new IllegalArgumentException(name + " must not be empty");
      }
      return value;
    }

    private static URI checkKeySet(URI location) {
      String scheme =
          location.getScheme() == null ? "" : location.getScheme().toLowerCase(Locale.ROOT);
      if (scheme.equals("file") && location.getPath() != null && !location.getPath().isEmpty()) {
        return location;
      }
      if (scheme.equals("https") && location.getHost() != null) {
        return location;
      }
      if (scheme.equals("http") && location.getHost() != null && isLoopback(location.getHost())) {
        return location;
      }
      throw new IllegalArgumentException(
          "jwks must be an https:// URL, a file: path, or an http:// URL on a loopback address"
              + " (keys fetched in the clear could be swapped), was "
              + location);
    }

    private static boolean isLoopback(String host) {
      String bare =
          host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
      if (bare.equalsIgnoreCase("localhost")) {
        return true;
      }
      if (!bare.matches("[0-9.]+|[0-9a-fA-F:]+")) {
        return false; // only literal addresses: a name could resolve elsewhere later
      }
      try {
        return InetAddress.getByName(bare).isLoopbackAddress();
      } catch (UnknownHostException e) {
        return false;
      }
    }
  }
}
