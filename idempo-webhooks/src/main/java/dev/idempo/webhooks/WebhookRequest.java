package dev.idempo.webhooks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One delivery as the server received it: method, path, headers and the raw body bytes. Signatures
 * are always checked over these bytes, never over re-serialised JSON. Header names are matched
 * case-insensitively.
 *
 * <p>Immutable and thread-safe; the body array is not copied, so the caller must not change it
 * after handing it over.
 */
public final class WebhookRequest {
  private final String method;
  private final String path;
  private final Map<String, List<String>> headers;
  private final byte[] body;

  private WebhookRequest(
      String method, String path, Map<String, List<String>> headers, byte[] body) {
    this.method = method;
    this.path = path;
    this.headers = headers;
    this.body = body;
  }

  /**
   * A request from an adapter's parts.
   *
   * @param headers every header line, by name (any case); null values are skipped
   * @throws NullPointerException if an argument is null
   */
  public static WebhookRequest of(
      String method, String path, Map<String, List<String>> headers, byte[] body) {
    Objects.requireNonNull(method, "method must not be null");
    Objects.requireNonNull(path, "path must not be null");
    Objects.requireNonNull(headers, "headers must not be null");
    Objects.requireNonNull(body, "body must not be null");
    Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach(
        (name, values) -> {
          if (name != null && values != null) {
            List<String> list = copy.computeIfAbsent(name, n -> new ArrayList<>());
            for (String value : values) {
              if (value != null) {
                list.add(value);
              }
            }
          }
        });
    copy.replaceAll((name, values) -> List.copyOf(values));
    return new WebhookRequest(method, path, Collections.unmodifiableMap(copy), body);
  }

  /** A builder, for tests and small adapters. */
  public static Builder builder(String method, String path) {
    return new Builder(method, path);
  }

  public String method() {
    return method;
  }

  public String path() {
    return path;
  }

  /** Every value of header {@code name}, in order; empty if absent. */
  public List<String> headers(String name) {
    return headers.getOrDefault(name, List.of());
  }

  /** All headers, by case-insensitive name. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The raw body bytes (a copy). */
  public byte[] body() {
    return body.clone();
  }

  int bodyLength() {
    return body.length;
  }

  /** The body without copying; for this package, which never changes it. */
  byte[] rawBody() {
    return body;
  }

  /**
   * The single value of header {@code name}, or null if absent.
   *
   * @throws WebhookVerificationException ({@link RefusalReason#SIGNATURE_MALFORMED}) if the header
   *     is repeated, longer than {@code maxLength} characters, or holds a control character
   */
  String singleHeader(String name, int maxLength) {
    List<String> values = headers(name);
    if (values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MALFORMED, "header " + name + " is repeated");
    }
    String value = stripOptionalWhitespace(values.get(0));
    if (value.length() > maxLength) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MALFORMED,
          "header " + name + " is longer than " + maxLength + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      // RFC 9110 §5.5: no CR, LF, NUL or other controls in a field value. A server should have
      // refused them already; here they must never be trimmed away into a valid value.
      if ((c < 0x20 && c != '\t') || c == 0x7F) {
        throw new WebhookVerificationException(
            RefusalReason.SIGNATURE_MALFORMED, "header " + name + " holds a control character");
      }
    }
    return value;
  }

  /**
   * Drops the spaces and tabs HTTP allows around a field value (RFC 9110 §5.5), and nothing else: a
   * control character is part of the value, so it can never vanish into a valid one.
   */
  static String stripOptionalWhitespace(String value) {
    int start = 0;
    int end = value.length();
    while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
      start++;
    }
    while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
      end--;
    }
    return value.substring(start, end);
  }

  /** Like {@link #singleHeader} but refuses an absent or empty header as missing. */
  String requiredHeader(String name, int maxLength) {
    String value = singleHeader(name, maxLength);
    if (value == null || value.isEmpty()) {
      throw new WebhookVerificationException(
          RefusalReason.SIGNATURE_MISSING, "header " + name + " is missing");
    }
    return value;
  }

  @Override
  public String toString() {
    return "WebhookRequest[" + method + " " + path + ", " + body.length + " body bytes]";
  }

  /** Builds a {@link WebhookRequest}. Not thread-safe. */
  public static final class Builder {
    private final String method;
    private final String path;
    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private byte[] body = new byte[0];

    private Builder(String method, String path) {
      this.method = Objects.requireNonNull(method, "method must not be null");
      this.path = Objects.requireNonNull(path, "path must not be null");
    }

    /** Adds one header line. */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name must not be null");
      Objects.requireNonNull(value, "value must not be null");
      headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).add(value);
      return this;
    }

    public Builder body(byte[] body) {
      this.body = Objects.requireNonNull(body, "body must not be null");
      return this;
    }

    public Builder body(String body) {
      return body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public WebhookRequest build() {
      return of(method, path, headers, body);
    }
  }
}
