package dev.idempo.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The Standard Webhooks scheme (standardwebhooks.com), which Svix also sends under {@code svix-*}
 * header names: {@code webhook-id}, {@code webhook-timestamp} (Unix seconds) and {@code
 * webhook-signature}, a space-separated list of {@code v1,<base64>} (HMAC-SHA256) and {@code
 * v1a,<base64>} (Ed25519) signatures over {@code id + "." + timestamp + "." + body}. The event id
 * is {@code webhook-id}. When a request carries no {@code webhook-id}, the {@code svix-*} names are
 * read instead.
 *
 * <p>Symmetric secrets are given as {@code whsec_<base64>} (the prefix is optional) and Ed25519
 * public keys as {@code whpk_<base64>} of the 32 raw key bytes. Any number may be active at once; a
 * delivery passes if any signature matches any of them.
 *
 * <p>The timestamp must lie within the tolerance (default 5 min, as the reference libraries) on
 * either side of now. Senders sign every retry afresh; retries are deduplicated by {@code
 * webhook-id}.
 *
 * <p>Immutable and thread-safe.
 */
public final class StandardWebhooksVerifier implements WebhookVerifier {
  /** The default tolerance: 5 minutes. */
  public static final Duration DEFAULT_TOLERANCE = Tolerance.DEFAULT;

  private static final int MAX_HEADER_LENGTH = 16 * 1024;
  private static final int MAX_SIGNATURES = 32;
  private static final byte[] ED25519_X509_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private final String provider;
  private final List<byte[]> hmacKeys;
  private final List<PublicKey> publicKeys;
  private final Duration tolerance;

  private StandardWebhooksVerifier(Builder builder) {
    this.provider = builder.provider;
    this.hmacKeys = List.copyOf(builder.hmacKeys);
    this.publicKeys = List.copyOf(builder.publicKeys);
    this.tolerance = builder.tolerance;
  }

  /** A builder; add at least one secret or public key. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String provider() {
    return provider;
  }

  public Duration tolerance() {
    return tolerance;
  }

  @Override
  public VerifiedDelivery verify(WebhookRequest request, Instant now) {
    String prefix =
        request.headers("webhook-id").isEmpty() && !request.headers("svix-id").isEmpty()
            ? "svix-"
            : "webhook-";
    String id = request.requiredHeader(prefix + "id", VerifiedDelivery.MAX_EVENT_ID_LENGTH);
    String timestamp = request.requiredHeader(prefix + "timestamp", 32);
    String header = request.requiredHeader(prefix + "signature", MAX_HEADER_LENGTH);
    Instant signedAt = Tolerance.parseEpochSeconds(timestamp, prefix + "timestamp");

    List<byte[]> hmacSignatures = new ArrayList<>();
    List<byte[]> ed25519Signatures = new ArrayList<>();
    int count = 0;
    for (String item : header.split(" ", -1)) {
      if (item.isEmpty()) {
        continue;
      }
      if (++count > MAX_SIGNATURES) {
        throw malformed(prefix, "more than " + MAX_SIGNATURES + " signatures");
      }
      int comma = item.indexOf(',');
      if (comma < 0) {
        throw malformed(prefix, "a signature is not version,base64");
      }
      String version = item.substring(0, comma);
      byte[] signature = canonicalBase64(item.substring(comma + 1));
      if (signature == null) {
        continue; // not base64: matches nothing, like any other wrong signature
      }
      if (version.equals("v1")) {
        hmacSignatures.add(signature);
      } else if (version.equals("v1a")) {
        ed25519Signatures.add(signature);
      }
      // Unknown versions are skipped: the scheme lets senders add them.
    }
    Tolerance.require(signedAt, now, tolerance);
    byte[] signed = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
    boolean valid = false;
    if (!hmacSignatures.isEmpty()) {
      for (byte[] key : hmacKeys) {
        valid |=
            MacAlgorithm.anyMatches(
                MacAlgorithm.HMAC_SHA256.sign(key, signed, request.rawBody()), hmacSignatures);
      }
    }
    for (PublicKey key : publicKeys) {
      for (byte[] signature : ed25519Signatures) {
        valid |= ed25519Verifies(key, signed, request.rawBody(), signature);
      }
    }
    if (!valid) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MISMATCH,
          "no signature in " + prefix + "signature matches the active secrets or keys");
    }
    return new VerifiedDelivery(id, "", Optional.of(signedAt));
  }

  /**
   * The bytes of {@code text} if it is base64 exactly as an encoder writes it (padding included),
   * else null: the JDK decoder also takes unpadded text, which senders never write and the
   * reference libraries refuse.
   */
  private static byte[] canonicalBase64(String text) {
    try {
      byte[] bytes = Base64.getDecoder().decode(text);
      return Base64.getEncoder().encodeToString(bytes).equals(text) ? bytes : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean ed25519Verifies(
      PublicKey key, byte[] prefix, byte[] body, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(prefix);
      verifier.update(body);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // a signature of the wrong length or form: not valid
    }
  }

  private static WebhookVerificationException malformed(String prefix, String why) {
    return new WebhookVerificationException(
        RefusalReason.SIGNATURE_MALFORMED, prefix + "signature is malformed: " + why);
  }

  @Override
  public String toString() {
    return "StandardWebhooksVerifier[provider="
        + provider
        + ", secrets="
        + hmacKeys.size()
        + ", publicKeys="
        + publicKeys.size()
        + ", tolerance="
        + tolerance
        + "]";
  }

  /** Configures a {@link StandardWebhooksVerifier}. Not thread-safe. */
  public static final class Builder {
    private String provider = "standard-webhooks";
    private final List<byte[]> hmacKeys = new ArrayList<>();
    private final List<PublicKey> publicKeys = new ArrayList<>();
    private Duration tolerance = DEFAULT_TOLERANCE;

    private Builder() {}

    /**
     * The provider name in deduplication keys and metrics: {@code standard-webhooks} by default;
     * say {@code svix}, {@code resend}, ... to keep two senders' ids apart on one store.
     */
    public Builder provider(String provider) {
      this.provider = ProviderName.check(provider);
      return this;
    }

    /**
     * Accepts {@code v1} signatures under {@code secret}: {@code whsec_} followed by base64 of the
     * key bytes (the prefix is optional).
     *
     * @throws IllegalArgumentException naming the secret's origin if it is not base64
     */
    public Builder secret(Secret secret) {
      String text = secret.text().trim();
      if (text.startsWith("whsec_")) {
        text = text.substring("whsec_".length());
      }
      byte[] key;
      try {
        key = Base64.getDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(secret + " is not whsec_ followed by base64 of the key");
      }
      if (key.length == 0) {
        throw new IllegalArgumentException(secret + " holds an empty key");
      }
      hmacKeys.add(key);
      return this;
    }

    /**
     * Accepts {@code v1a} signatures by the Ed25519 key {@code publicKey}: {@code whpk_} followed
     * by base64 of the 32 raw key bytes (the prefix is optional).
     *
     * @throws IllegalArgumentException naming the key's origin if it is not such a key
     */
    public Builder publicKey(Secret publicKey) {
      String text = publicKey.text().trim();
      if (text.startsWith("whpk_")) {
        text = text.substring("whpk_".length());
      }
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        raw = new byte[0];
      }
      if (raw.length != 32) {
        throw new IllegalArgumentException(
            publicKey + " is not whpk_ followed by base64 of a 32-byte Ed25519 public key");
      }
      byte[] encoded = new byte[ED25519_X509_PREFIX.length + 32];
      System.arraycopy(ED25519_X509_PREFIX, 0, encoded, 0, ED25519_X509_PREFIX.length);
      System.arraycopy(raw, 0, encoded, ED25519_X509_PREFIX.length, 32);
      try {
        publicKeys.add(
            KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded)));
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(publicKey + " is not an Ed25519 public key", e);
      }
      return this;
    }

    /** How far the signed timestamp may lie from now, either way: up to 1 day, 5 min default. */
    public Builder tolerance(Duration tolerance) {
      this.tolerance = Tolerance.check(tolerance);
      return this;
    }

    /**
     * Builds it.
     *
     * @throws IllegalStateException if no secret and no public key was added
     */
    public StandardWebhooksVerifier build() {
      if (hmacKeys.isEmpty() && publicKeys.isEmpty()) {
        throw new IllegalStateException("add at least one secret or public key before build()");
      }
      return new StandardWebhooksVerifier(this);
    }
  }
}
