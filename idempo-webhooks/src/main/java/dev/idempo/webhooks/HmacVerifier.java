package dev.idempo.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A generic HMAC scheme for the long tail of senders: one header holds the MAC ({@code HmacSHA256}
 * by default; SHA-1, -384, -512 too) of a signed payload, hex or base64 encoded, optionally after a
 * fixed prefix ({@code sha256=}). The signed payload is a template over {@code {body}} (the raw
 * bytes), {@code {timestamp}} (the value of a timestamp header, Unix seconds, checked against the
 * tolerance) and {@code {id}} (the value of an event-id header): {@code "{body}"} by default, e.g.
 * {@code "{timestamp}.{body}"} or {@code "v0:{timestamp}:{body}"}.
 *
 * <p>The event id comes from a header ({@link Builder#eventIdHeader}) or a top-level JSON string
 * ({@link Builder#eventIdJsonField}); with neither, it is the SHA-256 of the body, so only
 * byte-identical deliveries are deduplicated.
 *
 * <pre>{@code
 * HmacVerifier shopify =
 *     HmacVerifier.builder("shopify", "X-Shopify-Hmac-Sha256", Secret.fromEnvironment("SHOPIFY"))
 *         .encoding(HmacVerifier.Encoding.BASE64)
 *         .eventIdHeader("X-Shopify-Webhook-Id")
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class HmacVerifier implements WebhookVerifier {
  /** How the header encodes the MAC. */
  public enum Encoding {
    /** Hexadecimal, either case. */
    HEX,
    /** Standard base64 with padding (RFC 4648 §4). */
    BASE64
  }

  private static final int MAX_HEADER_LENGTH = 4 * 1024;

  private final String provider;
  private final String signatureHeader;
  private final List<Secret> secrets;
  private final MacAlgorithm algorithm;
  private final Encoding encoding;
  private final String prefix;
  private final String timestampHeader;
  private final List<String> template;
  private final String eventIdHeader;
  private final String eventIdJsonField;
  private final Duration tolerance;

  private HmacVerifier(Builder builder) {
    this.provider = builder.provider;
    this.signatureHeader = builder.signatureHeader;
    this.secrets = builder.secrets;
    this.algorithm = builder.algorithm;
    this.encoding = builder.encoding;
    this.prefix = builder.prefix;
    this.timestampHeader = builder.timestampHeader;
    this.template = parseTemplate(builder.template, builder.timestampHeader, builder.eventIdHeader);
    this.eventIdHeader = builder.eventIdHeader;
    this.eventIdJsonField = builder.eventIdJsonField;
    this.tolerance = builder.tolerance;
  }

  /**
   * A builder for {@code provider}'s scheme, reading the MAC from {@code signatureHeader} and
   * accepting any of {@code secrets}.
   *
   * @throws IllegalArgumentException if the provider name or header is invalid, or no secret is
   *     given
   */
  public static Builder builder(String provider, String signatureHeader, Secret... secrets) {
    return new Builder(provider, signatureHeader, List.of(secrets));
  }

  @Override
  public String provider() {
    return provider;
  }

  @Override
  public VerifiedDelivery verify(WebhookRequest request, Instant now) {
    String header = request.requiredHeader(signatureHeader, MAX_HEADER_LENGTH);
    if (!header.startsWith(prefix)) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MALFORMED, signatureHeader + " does not start with " + prefix);
    }
    byte[] signature = decode(header.substring(prefix.length()));
    if (signature == null) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MALFORMED,
          signatureHeader + " is not " + (encoding == Encoding.HEX ? "hex" : "base64"));
    }
    String timestamp = null;
    Instant signedAt = null;
    if (timestampHeader != null) {
      timestamp = request.requiredHeader(timestampHeader, 32);
      signedAt = Tolerance.parseEpochSeconds(timestamp, timestampHeader);
    }
    String headerId = null;
    if (eventIdHeader != null) {
      headerId = request.singleHeader(eventIdHeader, VerifiedDelivery.MAX_EVENT_ID_LENGTH);
    }
    List<byte[]> parts = new ArrayList<>(template.size());
    for (String part : template) {
      switch (part) {
        case "{body}" -> parts.add(request.rawBody());
        case "{timestamp}" -> parts.add(timestamp.getBytes(StandardCharsets.UTF_8));
        case "{id}" ->
            parts.add((headerId == null ? "" : headerId).getBytes(StandardCharsets.UTF_8));
        default -> parts.add(part.getBytes(StandardCharsets.UTF_8));
      }
    }
    byte[][] signedParts = parts.toArray(new byte[0][]);
    boolean valid = false;
    for (Secret secret : secrets) {
      valid |=
          MacAlgorithm.anyMatches(algorithm.sign(secret.bytes(), signedParts), List.of(signature));
    }
    if (!valid) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MISMATCH,
          signatureHeader + " does not match the signed payload under the active secrets");
    }
    if (signedAt != null) {
      Tolerance.require(signedAt, now, tolerance);
    }
    return new VerifiedDelivery(eventId(request, headerId), "", Optional.ofNullable(signedAt));
  }

  private String eventId(WebhookRequest request, String headerId) {
    if (eventIdHeader != null) {
      if (headerId == null || headerId.isEmpty()) {
        throw new WebhookVerificationException(
            RefusalReason.EVENT_ID_MISSING, "header " + eventIdHeader + " is missing");
      }
      return headerId;
    }
    if (eventIdJsonField != null) {
      return JsonEventId.read(request.rawBody(), eventIdJsonField)
          .orElseThrow(
              () ->
                  new WebhookVerificationException(
                      RefusalReason.EVENT_ID_MISSING,
                      "the body is not a JSON object with a string \"" + eventIdJsonField + "\""));
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(request.rawBody());
      return "sha256:" + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable in this JDK", e);
    }
  }

  private byte[] decode(String text) {
    try {
      if (encoding == Encoding.HEX) {
        return HexFormat.of().parseHex(text);
      }
      byte[] bytes = Base64.getDecoder().decode(text);
      // Only base64 as an encoder writes it: unpadded or non-canonical text is another string.
      return Base64.getEncoder().encodeToString(bytes).equals(text) ? bytes : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Splits a template into literal parts and the placeholders {body}, {timestamp}, {id}. */
  private static List<String> parseTemplate(
      String template, String timestampHeader, String eventIdHeader) {
    List<String> parts = new ArrayList<>();
    int bodies = 0;
    int at = 0;
    while (at < template.length()) {
      int next = template.length();
      String found = null;
      for (String placeholder : List.of("{body}", "{timestamp}", "{id}")) {
        int index = template.indexOf(placeholder, at);
        if (index >= 0 && index < next) {
          next = index;
          found = placeholder;
        }
      }
      if (next > at) {
        parts.add(template.substring(at, next));
      }
      if (found == null) {
        break;
      }
      if (found.equals("{body}")) {
        bodies++;
      } else if (found.equals("{timestamp}") && timestampHeader == null) {
        throw new IllegalArgumentException(
            "signedPayload uses {timestamp}: set timestampHeader too");
      } else if (found.equals("{id}") && eventIdHeader == null) {
        throw new IllegalArgumentException("signedPayload uses {id}: set eventIdHeader too");
      }
      parts.add(found);
      at = next + found.length();
    }
    if (bodies != 1) {
      throw new IllegalArgumentException(
          "signedPayload must contain {body} exactly once, was \"" + template + "\"");
    }
    return List.copyOf(parts);
  }

  @Override
  public String toString() {
    return "HmacVerifier[provider="
        + provider
        + ", header="
        + signatureHeader
        + ", algorithm="
        + algorithm.jdkName()
        + ", encoding="
        + encoding
        + ", secrets="
        + secrets
        + "]";
  }

  /** Configures an {@link HmacVerifier}; setters reject bad values at once. Not thread-safe. */
  public static final class Builder {
    private final String provider;
    private final String signatureHeader;
    private final List<Secret> secrets;
    private MacAlgorithm algorithm = MacAlgorithm.HMAC_SHA256;
    private Encoding encoding = Encoding.HEX;
    private String prefix = "";
    private String timestampHeader;
    private String template = "{body}";
    private String eventIdHeader;
    private String eventIdJsonField;
    private Duration tolerance = Tolerance.DEFAULT;

    private Builder(String provider, String signatureHeader, List<Secret> secrets) {
      this.provider = ProviderName.check(provider);
      this.signatureHeader = checkHeaderName(signatureHeader, "signatureHeader");
      if (secrets.isEmpty()) {
        throw new IllegalArgumentException("give at least one secret");
      }
      this.secrets = secrets;
    }

    /** The JDK MAC name: {@code HmacSHA256} (default), {@code HmacSHA1}, -384 or -512. */
    public Builder algorithm(String algorithm) {
      this.algorithm = MacAlgorithm.named(Objects.requireNonNull(algorithm, "algorithm"));
      return this;
    }

    /** How the MAC is written: {@link Encoding#HEX} by default. */
    public Builder encoding(Encoding encoding) {
      this.encoding = Objects.requireNonNull(encoding, "encoding must not be null");
      return this;
    }

    /** Text before the MAC in the header, e.g. {@code sha256=}; none by default. */
    public Builder signaturePrefix(String prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix must not be null");
      return this;
    }

    /** A header holding the signed send time in Unix seconds, checked against the tolerance. */
    public Builder timestampHeader(String name) {
      this.timestampHeader = checkHeaderName(name, "timestampHeader");
      return this;
    }

    /**
     * What is signed: a template with {@code {body}} exactly once and optionally {@code
     * {timestamp}} and {@code {id}}; {@code "{body}"} by default.
     */
    public Builder signedPayload(String template) {
      this.template = Objects.requireNonNull(template, "template must not be null");
      parseTemplate(template, "check later", "check later"); // fails fast on {body} count
      return this;
    }

    /** The header holding the event id (required on every delivery once set). */
    public Builder eventIdHeader(String name) {
      this.eventIdHeader = checkHeaderName(name, "eventIdHeader");
      return this;
    }

    /** The top-level JSON string member holding the event id, e.g. {@code id}. */
    public Builder eventIdJsonField(String name) {
      Objects.requireNonNull(name, "name must not be null");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("eventIdJsonField must not be empty");
      }
      this.eventIdJsonField = name;
      return this;
    }

    /** How far a signed timestamp may lie from now, either way: up to 1 day, 5 min default. */
    public Builder tolerance(Duration tolerance) {
      this.tolerance = Tolerance.check(tolerance);
      return this;
    }

    /**
     * Builds it.
     *
     * @throws IllegalArgumentException if the template uses a placeholder whose header is not set
     */
    public HmacVerifier build() {
      return new HmacVerifier(this);
    }

    private static String checkHeaderName(String name, String what) {
      Objects.requireNonNull(name, () -> what + " must not be null");
      if (name.isEmpty() || !name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        throw new IllegalArgumentException(
            what + " must be an HTTP header name (a token), was \"" + name + "\"");
      }
      return name;
    }
  }
}
