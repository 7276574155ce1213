package dev.idempo.webhooks;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * GitHub's scheme: {@code X-Hub-Signature-256: sha256=<hex>}, an HMAC-SHA256 of the raw body under
 * the webhook's secret. The event id is {@code X-GitHub-Delivery} (a redelivery reuses it), scoped
 * by {@code X-GitHub-Hook-ID}, so two hooks (say, a repository's and an organisation's) that
 * forward the same delivery id to one endpoint never collide. The legacy {@code X-Hub-Signature:
 * sha1=<hex>} is read only when {@link Builder#allowLegacySha1()} is set and no SHA-256 signature
 * is present.
 *
 * <p>GitHub signs no timestamp, so nothing limits how late a captured delivery can be replayed: a
 * replay inside the receiver's retention is deduplicated by its delivery id, one after it would run
 * again. Keep the retention at least as long as GitHub's redelivery window (3 days on github.com, 7
 * on GitHub Enterprise Server).
 *
 * <p>Immutable and thread-safe.
 */
public final class GitHubVerifier implements WebhookVerifier {
  /** The SHA-256 signature header. */
  public static final String HEADER = "X-Hub-Signature-256";

  /** The legacy SHA-1 signature header. */
  public static final String LEGACY_HEADER = "X-Hub-Signature";

  /** The delivery id header: the event id. */
  public static final String DELIVERY_HEADER = "X-GitHub-Delivery";

  /** The hook id header: the event id's scope. */
  public static final String HOOK_ID_HEADER = "X-GitHub-Hook-ID";

  private static final int MAX_HEADER_LENGTH = 256;

  private final List<Secret> secrets;
  private final boolean legacySha1;

  private GitHubVerifier(Builder builder) {
    this.secrets = builder.secrets;
    this.legacySha1 = builder.legacySha1;
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
    return "github";
  }

  @Override
  public VerifiedDelivery verify(WebhookRequest request, Instant now) {
    String header = request.singleHeader(HEADER, MAX_HEADER_LENGTH);
    MacAlgorithm algorithm = MacAlgorithm.HMAC_SHA256;
    String prefix = "sha256=";
    int bytes = 32;
    String name = HEADER;
    if (header == null && legacySha1) {
      header = request.singleHeader(LEGACY_HEADER, MAX_HEADER_LENGTH);
      algorithm = MacAlgorithm.HMAC_SHA1;
      prefix = "sha1=";
      bytes = 20;
      name = LEGACY_HEADER;
    }
    if (header == null || header.isEmpty()) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MISSING,
          "header "
              + HEADER
              + " is missing"
              + (legacySha1 ? " (and so is " + LEGACY_HEADER + ")" : ""));
    }
    if (!header.startsWith(prefix)) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MALFORMED, name + " does not start with " + prefix);
    }
    byte[] signature = StripeVerifier.parseLowerHex(header.substring(prefix.length()), bytes);
    if (signature == null) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MALFORMED,
          name + " is not " + prefix + " followed by " + 2 * bytes + " lower-case hex digits");
    }
    boolean valid = false;
    for (Secret secret : secrets) {
      valid |=
          MacAlgorithm.anyMatches(
              algorithm.sign(secret.bytes(), request.rawBody()), List.of(signature));
    }
    if (!valid) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MISMATCH,
          name + " does not match the body under the webhook's secrets");
    }
    String delivery = request.singleHeader(DELIVERY_HEADER, VerifiedDelivery.MAX_EVENT_ID_LENGTH);
    if (delivery == null || delivery.isEmpty()) {
      throw new WebhookVerificationException(
          RefusalReason.EVENT_ID_MISSING, "header " + DELIVERY_HEADER + " is missing");
    }
    String hook = request.singleHeader(HOOK_ID_HEADER, VerifiedDelivery.MAX_EVENT_ID_LENGTH);
    return new VerifiedDelivery(delivery, hook == null ? "" : hook, Optional.empty());
  }

  /** True when the legacy SHA-1 header is accepted. */
  public boolean allowsLegacySha1() {
    return legacySha1;
  }

  @Override
  public String toString() {
    return "GitHubVerifier[secrets=" + secrets + ", legacySha1=" + legacySha1 + "]";
  }

  /** Configures a {@link GitHubVerifier}. Not thread-safe. */
  public static final class Builder {
    private final List<Secret> secrets;
    private boolean legacySha1;

    private Builder(List<Secret> secrets) {
      if (secrets.isEmpty()) {
        throw new IllegalArgumentException("give at least one webhook secret");
      }
      this.secrets = secrets;
    }

    /**
     * Also accepts {@code X-Hub-Signature: sha1=…} when no SHA-256 signature is sent (GitHub
     * Enterprise Server before 3.0). Off by default: SHA-1 is kept by GitHub for old receivers
     * only.
     */
    public Builder allowLegacySha1() {
      this.legacySha1 = true;
      return this;
    }

    public GitHubVerifier build() {
      return new GitHubVerifier(this);
    }
  }
}
