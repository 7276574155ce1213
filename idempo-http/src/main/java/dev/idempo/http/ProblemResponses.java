package dev.idempo.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Renders {@link ProblemType}s as RFC 9457 responses: a JSON object with {@code type}, {@code
 * title}, {@code status} and {@code detail}; {@code Content-Type: application/problem+json}; {@code
 * Cache-Control: no-store}; {@code Retry-After} when given; and {@code Link: <base + slug>;
 * rel="describedby"} only when a documentation base is configured. Immutable, thread-safe.
 */
final class ProblemResponses {
  static final String DEFAULT_BASE = "urn:idempo:problem:";
  static final String CONTENT_TYPE = "application/problem+json";

  private final String base;
  private final String documentationBase; // null when not configured

  ProblemResponses(String base, String documentationBase) {
    this.base = checkBase(base, "problemBase", false);
    this.documentationBase =
        documentationBase == null ? null : checkBase(documentationBase, "documentationBase", true);
  }

  String base() {
    return base;
  }

  String documentationBase() {
    return documentationBase;
  }

  CapturedResponse render(ProblemType type, String detail) {
    return render(type, detail, null);
  }

  /** A problem response; {@code retryAfter}, if not null, becomes whole seconds, at least 1. */
  CapturedResponse render(ProblemType type, String detail, Duration retryAfter) {
    Objects.requireNonNull(type, "type must not be null");
    Objects.requireNonNull(detail, "detail must not be null");
    StringBuilder json = new StringBuilder(256);
    json.append("{\"type\":");
    CanonicalJson.writeString(base + type.slug(), json);
    json.append(",\"title\":");
    CanonicalJson.writeString(type.title(), json);
    json.append(",\"status\":").append(type.status());
    json.append(",\"detail\":");
    CanonicalJson.writeString(detail, json);
    json.append('}');
    CapturedResponse.Builder response =
        CapturedResponse.builder(type.status())
            .header("Content-Type", CONTENT_TYPE)
            .header("Cache-Control", "no-store")
            .body(json.toString().getBytes(StandardCharsets.US_ASCII));
    if (retryAfter != null) {
      response.header("Retry-After", Long.toString(retryAfterSeconds(retryAfter)));
    }
    if (documentationBase != null) {
      response.header("Link", "<" + documentationBase + type.slug() + ">; rel=\"describedby\"");
    }
    return response.build();
  }

  /** Whole seconds, rounded up, at least 1. */
  static long retryAfterSeconds(Duration retryAfter) {
    long seconds = retryAfter.getSeconds() + (retryAfter.getNano() > 0 ? 1 : 0);
    return Math.max(1, seconds);
  }

  private static String checkBase(String base, String name, boolean mustBeHttp) {
    Objects.requireNonNull(base, () -> name + " must not be null");
    URI uri;
    try {
      uri = new URI(base + "key-mismatch");
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          name + " must be the start of an absolute URI, was \"" + base + "\": " + e.getMessage());
    }
    if (!uri.isAbsolute()) {
      throw new IllegalArgumentException(
          name + " must be the start of an absolute URI (with a scheme), was \"" + base + "\"");
    }
    if (mustBeHttp
        && !("http".equalsIgnoreCase(uri.getScheme())
            || "https".equalsIgnoreCase(uri.getScheme()))) {
      throw new IllegalArgumentException(
          name + " must be an http or https URL, was \"" + base + "\"");
    }
    for (int i = 0; i < base.length(); i++) {
      char c = base.charAt(i);
      if (c <= 0x20 || c >= 0x7F || c == '"' || c == '<' || c == '>') {
        throw new IllegalArgumentException(
            name
                + " must be printable ASCII without spaces, quotes or angle brackets, was \""
                + base
                + "\"");
      }
    }
    return base;
  }
}
