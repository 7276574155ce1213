package dev.idempo.webhooks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Stripe's scheme: {@code Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]}, each {@code v1}
 * an HMAC-SHA256 of {@code t + "." + body} under the endpoint's signing secret ({@code whsec_…},
 * used as it is). The event id is the top-level {@code id} of the JSON body ({@code evt_…}).
 * Several secrets may be active at once (Stripe keeps the old one valid for a while after a roll);
 * a delivery passes if any {@code v1} matches any secret.
 *
 * <p>The timestamp must lie within the tolerance (default 300 s, as stripe-java) on either side of
 * now: stripe-java refuses only old timestamps, this also refuses ones too far in the future, so a
 * signature made with a fast clock cannot be saved up and replayed later. Stripe signs every retry
 * afresh, so a retry days later still passes; it is deduplicated by its event id.
 *
 * <p>Immutable and thread-safe.
 */
public final class StripeVerifier implements WebhookVerifier {
  /** The signature header. */
  public static final String HEADER = "Stripe-Signature";

  /** The default tolerance: 300 s. */
  public static final Duration DEFAULT_TOLERANCE = Tolerance.DEFAULT;

  static final int MAX_HEADER_LENGTH = 8 * 1024;
  private static final int MAX_SIGNATURES = 16;
  private static final int SHA256_BYTES = 32;

  private final List<Secret> secrets;
  private final Duration tolerance;

  private StripeVerifier(Builder builder) {
    this.secrets = List.copyOf(builder.secrets);
    this.tolerance = builder.tolerance;
  }

  /**
   * A builder accepting signatures made with any of {@code secrets}.
   *
   * @throws IllegalArgumentException if no secret is given
   */
  public static Builder builder(Secret... secrets) {
    return new Builder(List.of(secrets));
  }

  @Override
  public String provider() {
    return "stripe";
  }

  public Duration tolerance() {
    return tolerance;
  }

  @Override
  public VerifiedDelivery verify(WebhookRequest request, Instant now) {
    String header = request.requiredHeader(HEADER, MAX_HEADER_LENGTH);
    String timestamp = null;
    List<byte[]> signatures = new ArrayList<>();
    for (String item : header.split(",", MAX_HEADER_LENGTH)) {
      int equals = item.indexOf('=');
      if (equals < 0) {
        throw malformed("an element has no '='");
      }
      String key = WebhookRequest.stripOptionalWhitespace(item.substring(0, equals));
      String value = WebhookRequest.stripOptionalWhitespace(item.substring(equals + 1));
      if (key.equals("t")) {
        if (timestamp != null) {
          throw malformed("t appears twice");
        }
        timestamp = value;
      } else if (key.equals("v1")) {
        if (signatures.size() == MAX_SIGNATURES) {
          throw malformed("more than " + MAX_SIGNATURES + " v1 signatures");
        }
        byte[] signature = parseHex(value);
        if (signature != null) {
          signatures.add(signature);
        }
      }
      // Other schemes (v0 is Stripe's test-mode scheme) are ignored, as stripe-java does.
    }
    if (timestamp == null) {
      throw malformed("no t= timestamp");
    }
    if (signatures.isEmpty()) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MISMATCH, HEADER + " has no v1 signature of 64 hex digits");
    }
    Instant signedAt = Tolerance.parseEpochSeconds(timestamp, HEADER);
    byte[] prefix = (timestamp + ".").getBytes(StandardCharsets.US_ASCII);
    boolean valid = false;
    for (Secret secret : secrets) {
      byte[] expected = MacAlgorithm.HMAC_SHA256.sign(secret.bytes(), prefix, request.rawBody());
      valid |= MacAlgorithm.anyMatches(expected, signatures);
    }
    if (!valid) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MISMATCH,
          "no v1 signature matches the payload under the endpoint's signing secrets");
    }
    Tolerance.require(signedAt, now, tolerance);
    String id =
        JsonEventId.read(request.rawBody(), "id")
            .orElseThrow(
                () ->
                    new WebhookVerificationException(
                        RefusalReason.EVENT_ID_MISSING,
                        "the body is not a JSON object with a string \"id\""));
    return new VerifiedDelivery(id, "", Optional.of(signedAt));
  }

  /** 64 lower-case hex digits as 32 bytes, or null for anything else (it then matches nothing). */
  static byte[] parseHex(String value) {
    return parseLowerHex(value, SHA256_BYTES);
  }

  /**
   * {@code 2 * bytes} lower-case hex digits, or null for anything else: senders write lower case,
   * and their own libraries compare the hex text, so upper case matches nothing there either.
   */
  static byte[] parseLowerHex(String value, int bytes) {
    if (value.length() != 2 * bytes) {
      return null;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return null;
      }
    }
    return HexFormat.of().parseHex(value);
  }

  private static WebhookVerificationException malformed(String why) {
    return new WebhookVerificationException(
        RefusalReason.SIGNATURE_MALFORMED, HEADER + " is malformed: " + why);
  }

  @Override
  public String toString() {
    return "StripeVerifier[secrets=" + secrets + ", tolerance=" + tolerance + "]";
  }

  /** Configures a {@link StripeVerifier}. Not thread-safe. */
  public static final class Builder {
    private final List<Secret> secrets;
    private Duration tolerance = DEFAULT_TOLERANCE;

    private Builder(List<Secret> secrets) {
      if (secrets.isEmpty()) {
        throw new IllegalArgumentException("give at least one signing secret");
      }
      this.secrets = secrets;
    }

    /** How far the signed timestamp may lie from now, either way: up to 1 day, 300 s default. */
    public Builder tolerance(Duration tolerance) {
      this.tolerance = Tolerance.check(tolerance);
      return this;
    }

    public StripeVerifier build() {
      Objects.requireNonNull(secrets);
      return new StripeVerifier(this);
    }
  }
}
