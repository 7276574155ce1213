package dev.idempo.webhooks;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * PayPal's scheme, verified offline: {@code PAYPAL-TRANSMISSION-SIG} is a base64 SHA256withRSA
 * signature over {@code transmission_id|transmission_time|webhook_id|crc32(body)} (the CRC as an
 * unsigned decimal), made by the key of PayPal's signing certificate. The certificate is
 * configured, never fetched: {@code PAYPAL-CERT-URL} is ignored, so a forged delivery cannot point
 * the receiver at a certificate of its choosing. Several certificates may be active (PayPal rotates
 * them); a certificate outside its validity period at the time of the check verifies nothing.
 *
 * <p>The event id is the top-level {@code id} of the JSON body ({@code WH-…}); the {@code
 * PAYPAL-TRANSMISSION-ID} changes with every retry and so cannot deduplicate. {@code
 * PAYPAL-TRANSMISSION-TIME} must lie within the tolerance (default 300 s) of now, and {@code
 * PAYPAL-AUTH-ALGO}, which PayPal always sends, must be {@code SHA256withRSA}.
 *
 * <p>Immutable and thread-safe.
 */
public final class PayPalVerifier implements WebhookVerifier {
  public static final String TRANSMISSION_ID = "PAYPAL-TRANSMISSION-ID";
  public static final String TRANSMISSION_TIME = "PAYPAL-TRANSMISSION-TIME";
  public static final String TRANSMISSION_SIG = "PAYPAL-TRANSMISSION-SIG";
  public static final String AUTH_ALGO = "PAYPAL-AUTH-ALGO";

  /** The default tolerance: 300 s. */
  public static final Duration DEFAULT_TOLERANCE = Tolerance.DEFAULT;

  private static final String ALGORITHM = "SHA256withRSA";
  private static final int MAX_HEADER_LENGTH = 4 * 1024;

  private final String webhookId;
  private final List<X509Certificate> certificates;
  private final Duration tolerance;

  private PayPalVerifier(Builder builder) {
    this.webhookId = builder.webhookId;
    this.certificates = List.copyOf(builder.certificates);
    this.tolerance = builder.tolerance;
  }

  /**
   * A builder for the webhook registered under {@code webhookId} (the id PayPal shows for it, part
   * of every signature).
   *
   * @throws IllegalArgumentException if {@code webhookId} is empty or holds '|'
   */
  public static Builder builder(String webhookId) {
    return new Builder(webhookId);
  }

  @Override
  public String provider() {
    return "paypal";
  }

  public Duration tolerance() {
    return tolerance;
  }

  @Override
  public VerifiedDelivery verify(WebhookRequest request, Instant now) {
    String transmissionId = request.requiredHeader(TRANSMISSION_ID, 256);
    String transmissionTime = request.requiredHeader(TRANSMISSION_TIME, 64);
    String signatureText = request.requiredHeader(TRANSMISSION_SIG, MAX_HEADER_LENGTH);
    String algorithm = request.requiredHeader(AUTH_ALGO, 64);
    if (!algorithm.equals(ALGORITHM)) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MALFORMED, AUTH_ALGO + " must be " + ALGORITHM);
    }
    Instant sentAt;
    try {
      sentAt = OffsetDateTime.parse(transmissionTime).toInstant();
    } catch (DateTimeParseException e) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MALFORMED, TRANSMISSION_TIME + " is not an ISO-8601 date-time");
    }
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(signatureText);
    } catch (IllegalArgumentException e) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MALFORMED, TRANSMISSION_SIG + " is not base64");
    }
    // Only base64 as an encoder writes it: the decoder ignores the unused bits of the last
    // character, so several texts decode to one signature, and only one of them was sent.
    if (!Base64.getEncoder().encodeToString(signature).equals(signatureText)) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MALFORMED, TRANSMISSION_SIG + " is not canonical base64");
    }
    CRC32 crc = new CRC32();
    crc.update(request.rawBody());
    byte[] signed =
        (transmissionId + "|" + transmissionTime + "|" + webhookId + "|" + crc.getValue())
            .getBytes(StandardCharsets.UTF_8);
    Date checkedAt = Date.from(now);
    boolean valid = false;
    for (X509Certificate certificate : certificates) {
      valid |= verifies(certificate, checkedAt, signed, signature);
    }
    if (!valid) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MISMATCH,
          TRANSMISSION_SIG + " does not verify under the configured certificates");
    }
    Tolerance.require(sentAt, now, tolerance);
    String id =
        JsonEventId.read(request.rawBody(), "id")
            .orElseThrow(
                () ->
                    new WebhookVerificationException(
                        RefusalReason.EVENT_ID_MISSING,
                        "the body is not a JSON object with a string \"id\""));
    return new VerifiedDelivery(id, "", Optional.of(sentAt));
  }

  private static boolean verifies(
      X509Certificate certificate, Date at, byte[] signed, byte[] signature) {
    try {
      certificate.checkValidity(at);
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(signed);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false; // expired certificate, or a signature of the wrong size: verifies nothing
    }
  }

  @Override
  public String toString() {
    return "PayPalVerifier[webhookId="
        + webhookId
        + ", certificates="
        + certificates.size()
        + ", tolerance="
        + tolerance
        + "]";
  }

  /** Configures a {@link PayPalVerifier}. Not thread-safe. */
  public static final class Builder {
    private final String webhookId;
    private final List<X509Certificate> certificates = new ArrayList<>();
    private Duration tolerance = DEFAULT_TOLERANCE;

    private Builder(String webhookId) {
      Objects.requireNonNull(webhookId, "webhookId must not be null");
      if (webhookId.isEmpty() || webhookId.indexOf('|') >= 0 || webhookId.length() > 256) {
        throw new IllegalArgumentException(
            "webhookId must be 1 to 256 characters without '|', was \"" + webhookId + "\"");
      }
      this.webhookId = webhookId;
    }

    /** Trusts signatures made by the key of {@code certificate}. */
    public Builder certificate(X509Certificate certificate) {
      certificates.add(Objects.requireNonNull(certificate, "certificate must not be null"));
      return this;
    }

    /**
     * Trusts the PEM (or DER) X.509 certificate in {@code certificate}, e.g. {@code
     * Secret.fromFile(Path.of("paypal-cert.pem"))}.
     *
     * @throws IllegalArgumentException naming the origin if it is not an X.509 certificate
     */
    public Builder certificate(Secret certificate) {
      try {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        return certificate(
            (X509Certificate)
                factory.generateCertificate(new ByteArrayInputStream(certificate.bytes())));
      } catch (CertificateException | ClassCastException e) {
        throw new IllegalArgumentException(certificate + " is not an X.509 certificate", e);
      }
    }

    /** How far the transmission time may lie from now, either way: up to 1 day, 300 s default. */
    public Builder tolerance(Duration tolerance) {
      this.tolerance = Tolerance.check(tolerance);
      return this;
    }

    /**
     * Builds it.
     *
     * @throws IllegalStateException if no certificate was added
     */
    public PayPalVerifier build() {
      if (certificates.isEmpty()) {
        throw new IllegalStateException("add at least one certificate before build()");
      }
      return new PayPalVerifier(this);
    }
  }
}
