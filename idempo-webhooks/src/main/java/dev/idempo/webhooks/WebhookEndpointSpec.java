package dev.idempo.webhooks;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One webhook endpoint written as text, the syntax of the gateway's {@code --webhook} flag and of
 * configuration properties: {@code PATH=PROVIDER:SECRET[,SECRET…][;OPTION=VALUE…]}. Secrets are
 * always named ({@code env:NAME} or {@code file:PATH}), never written inline.
 *
 * <pre>
 * /hooks/stripe=stripe:env:STRIPE_SECRET,env:STRIPE_SECRET_OLD;tolerance=300s
 * /hooks/svix=standard-webhooks:env:SVIX_SECRET;provider=svix
 * /hooks/github=github:file:/run/secrets/github;legacy-sha1=true
 * /hooks/paypal=paypal:file:/etc/idempo/paypal.pem;webhook-id=1JE4291016473214C
 * /hooks/shop=hmac:env:SHOP;header=X-Shopify-Hmac-Sha256;encoding=base64;event-id-header=X-Id
 * </pre>
 *
 * <p>Providers and their options: {@code stripe} ({@code tolerance}); {@code standard-webhooks}
 * ({@code tolerance}, {@code provider}; a secret starting {@code whpk_} is an Ed25519 public key,
 * any other a {@code whsec_} secret); {@code github} ({@code legacy-sha1}); {@code paypal} (the
 * secrets are PEM certificates; {@code webhook-id} required, {@code tolerance}); {@code hmac}
 * ({@code header} required, {@code provider}, {@code algorithm}, {@code encoding} hex|base64,
 * {@code prefix}, {@code timestamp-header}, {@code payload}, {@code event-id-header}, {@code
 * event-id-field}, {@code tolerance}). Durations are {@code 300s}, {@code 5m}, {@code 1h} or
 * ISO-8601 ({@code PT5M}). File paths may not contain ',' or ';'.
 *
 * <p>Immutable and thread-safe.
 */
public final class WebhookEndpointSpec {
  private static final Map<String, Set<String>> OPTIONS =
      Map.of(
          "stripe", Set.of("tolerance"),
          "standard-webhooks", Set.of("tolerance", "provider"),
          "github", Set.of("legacy-sha1"),
          "paypal", Set.of("tolerance", "webhook-id"),
          "hmac",
              Set.of(
                  "tolerance",
                  "provider",
                  "header",
                  "algorithm",
                  "encoding",
                  "prefix",
                  "timestamp-header",
                  "payload",
                  "event-id-header",
                  "event-id-field"));

  private final String path;
  private final WebhookVerifier verifier;

  private WebhookEndpointSpec(String path, WebhookVerifier verifier) {
    this.path = path;
    this.verifier = verifier;
  }

  /**
   * Parses {@code text} and reads the secrets it names.
   *
   * @throws IllegalArgumentException naming the part that is wrong (never a secret's value): an
   *     unknown provider or option, a missing secret or required option, an unreadable secret
   */
  public static WebhookEndpointSpec parse(String text) {
    Objects.requireNonNull(text, "text must not be null");
    int equals = text.indexOf('=');
    if (!text.startsWith("/") || equals < 0) {
      throw invalid(text, "it must start with PATH= where PATH starts with '/'");
    }
    String path = text.substring(0, equals);
    String rest = text.substring(equals + 1);
    String[] parts = rest.split(";", -1);
    int colon = parts[0].indexOf(':');
    if (colon < 0) {
      throw invalid(text, "expected PROVIDER:SECRET after '='");
    }
    String provider = parts[0].substring(0, colon).toLowerCase(Locale.ROOT);
    if (provider.equals("svix")) {
      provider = "standard-webhooks";
    }
    Set<String> allowed = OPTIONS.get(provider);
    if (allowed == null) {
      throw invalid(
          text,
          "unknown provider; expected one of "
              + String.join(", ", new java.util.TreeSet<>(OPTIONS.keySet())));
    }
    List<Secret> secrets = new ArrayList<>();
    for (String name : parts[0].substring(colon + 1).split(",", -1)) {
      if (name.isEmpty()) {
        throw invalid(text, "a secret name is empty");
      }
      secrets.add(Secret.parse(name));
    }
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 1; i < parts.length; i++) {
      int at = parts[i].indexOf('=');
      if (at <= 0) {
        throw invalid(text, "option " + (i + 1) + " is not NAME=VALUE");
      }
      String option = parts[i].substring(0, at).toLowerCase(Locale.ROOT);
      if (!allowed.contains(option)) {
        throw invalid(
            text,
            "provider "
                + provider
                + " has no option \""
                + option
                + "\"; it takes "
                + new java.util.TreeSet<>(allowed));
      }
      if (options.put(option, parts[i].substring(at + 1)) != null) {
        throw invalid(text, "option " + option + " is given twice");
      }
    }
    try {
      return new WebhookEndpointSpec(path, verifier(provider, secrets, options));
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw invalid(text, e.getMessage());
    }
  }

  private static WebhookVerifier verifier(
      String provider, List<Secret> secrets, Map<String, String> options) {
    Secret[] array = secrets.toArray(new Secret[0]);
    switch (provider) {
      case "stripe" -> {
        StripeVerifier.Builder stripe = StripeVerifier.builder(array);
        if (options.containsKey("tolerance")) {
          stripe.tolerance(duration(options.get("tolerance")));
        }
        return stripe.build();
      }
      case "standard-webhooks" -> {
        StandardWebhooksVerifier.Builder standard = StandardWebhooksVerifier.builder();
        for (Secret secret : secrets) {
          if (secret.text().startsWith("whpk_")) {
            standard.publicKey(secret);
          } else {
            standard.secret(secret);
          }
        }
        if (options.containsKey("tolerance")) {
          standard.tolerance(duration(options.get("tolerance")));
        }
        if (options.containsKey("provider")) {
          standard.provider(options.get("provider"));
        }
        return standard.build();
      }
      case "github" -> {
        GitHubVerifier.Builder github = GitHubVerifier.builder(array);
        if (bool(options.getOrDefault("legacy-sha1", "false"), "legacy-sha1")) {
          github.allowLegacySha1();
        }
        return github.build();
      }
      case "paypal" -> {
        String webhookId = options.get("webhook-id");
        if (webhookId == null) {
          throw new IllegalArgumentException("paypal needs webhook-id=…");
        }
        PayPalVerifier.Builder paypal = PayPalVerifier.builder(webhookId);
        for (Secret certificate : secrets) {
          paypal.certificate(certificate);
        }
        if (options.containsKey("tolerance")) {
          paypal.tolerance(duration(options.get("tolerance")));
        }
        return paypal.build();
      }
      default -> {
        String header = options.get("header");
        if (header == null) {
          throw new IllegalArgumentException("hmac needs header=…");
        }
        HmacVerifier.Builder hmac =
            HmacVerifier.builder(options.getOrDefault("provider", "hmac"), header, array);
        if (options.containsKey("algorithm")) {
          hmac.algorithm(options.get("algorithm"));
        }
        if (options.containsKey("encoding")) {
          String encoding = options.get("encoding").toUpperCase(Locale.ROOT);
          if (!encoding.equals("HEX") && !encoding.equals("BASE64")) {
            throw new IllegalArgumentException("encoding must be hex or base64");
          }
          hmac.encoding(HmacVerifier.Encoding.valueOf(encoding));
        }
        if (options.containsKey("prefix")) {
          hmac.signaturePrefix(options.get("prefix"));
        }
        if (options.containsKey("timestamp-header")) {
          hmac.timestampHeader(options.get("timestamp-header"));
        }
        if (options.containsKey("event-id-header")) {
          hmac.eventIdHeader(options.get("event-id-header"));
        }
        if (options.containsKey("event-id-field")) {
          hmac.eventIdJsonField(options.get("event-id-field"));
        }
        if (options.containsKey("payload")) {
          hmac.signedPayload(options.get("payload"));
        }
        if (options.containsKey("tolerance")) {
          hmac.tolerance(duration(options.get("tolerance")));
        }
        return hmac.build();
      }
    }
  }

  /** {@code 300s}, {@code 5m}, {@code 1h}, {@code 1d} or ISO-8601 ({@code PT5M}). */
  static Duration duration(String text) {
    try {
      if (text.length() > 1 && text.substring(0, text.length() - 1).matches("[0-9]{1,9}")) {
        long amount = Long.parseLong(text.substring(0, text.length() - 1));
        switch (text.charAt(text.length() - 1)) {
          case 's' -> {
            return Duration.ofSeconds(amount);
          }
          case 'm' -> {
            return Duration.ofMinutes(amount);
          }
          case 'h' -> {
            return Duration.ofHours(amount);
          }
          case 'd' -> {
            return Duration.ofDays(amount);
          }
          default -> {}
        }
      }
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not a duration such as 300s, 5m, 1h, 7d or PT5M");
    }
  }

  private static boolean bool(String text, String option) {
    if (text.equalsIgnoreCase("true")) {
      return true;
    }
    if (text.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException(option + " must be true or false, was \"" + text + "\"");
  }

  /**
   * Names the endpoint by its path only: the rest could hold a secret written inline by mistake.
   */
  private static IllegalArgumentException invalid(String text, String why) {
    int equals = text.indexOf('=');
    String path = equals < 0 ? "" : text.substring(0, Math.min(equals, 200));
    return new IllegalArgumentException(
        "webhook endpoint \""
            + path
            + "\" is invalid: "
            + why
            + " (expected PATH=PROVIDER:SECRET[,SECRET...][;OPTION=VALUE...])");
  }

  /** The endpoint's path, e.g. {@code /hooks/stripe}. */
  public String path() {
    return path;
  }

  /** The verifier the text describes, its secrets read. */
  public WebhookVerifier verifier() {
    return verifier;
  }

  @Override
  public String toString() {
    return "WebhookEndpointSpec[" + path + " " + verifier + "]";
  }
}
