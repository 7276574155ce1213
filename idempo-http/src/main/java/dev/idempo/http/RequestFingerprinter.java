package dev.idempo.http;

import dev.idempo.Fingerprint;
import java.util.Locale;
import java.util.Objects;

/**
 * What makes two requests with the same key "the same request": the method, the path, the raw
 * query, the content type (media type and parameter names in lower case, the charset value in
 * lower case, spaces around {@code ;} and {@code =} dropped) and the body. A retry whose
 * fingerprint differs is answered {@link ProblemType#KEY_MISMATCH}, never replayed.
 *
 * <p>Stateless and thread-safe.
 */
public enum RequestFingerprinter {
  /** The body's bytes as they are. The default. */
  RAW_BODY,
  /**
   * For {@code application/json} and {@code +json} bodies, the body's canonical JSON: whitespace
   * and the order of object members are ignored, array order is not, strings compare by value
   * ({@code "\u0041"} is {@code "A"}) and numbers exactly by value ({@code 1.0} is {@code 1};
   * no digit is ever rounded away). A body that is not well-formed UTF-8 JSON (or nests deeper
   * than 128 levels) falls back to its raw bytes, as does every body of another content type; a
   * raw body and a canonical one never compare equal.
   */
  CANONICAL_JSON;

  /**
   * The fingerprint of a request.
   *
   * @param query the raw query, {@code ""} for none
   * @param contentType the {@code Content-Type} header's value, or null for none
   * @throws NullPointerException if an argument but {@code contentType} is null
   */
  public Fingerprint fingerprint(String method, String path, String query, String contentType, byte[] body) {
    Objects.requireNonNull(method, "method must not be null");
    Objects.requireNonNull(path, "path must not be null");
    Objects.requireNonNull(query, "query must not be null");
    Objects.requireNonNull(body, "body must not be null");
    String type = normalizeContentType(contentType);
    Fingerprint.Builder fingerprint =
        Fingerprint.builder()
            .add("method", method)
            .add("path", path)
            .add("query", query)
            .add("content-type", type);
    if (this == CANONICAL_JSON && isJson(type)) {
      byte[] canonical = CanonicalJson.canonicalize(body);
      if (canonical != null) {
        return fingerprint.add("json-body", canonical).build();
      }
    }
    return fingerprint.add("body", body).build();
  }

  /** {@code application/json} or any {@code +json} media type, in a normalized content type. */
  static boolean isJson(String normalizedContentType) {
    int end = normalizedContentType.indexOf(';');
    String media = end < 0 ? normalizedContentType : normalizedContentType.substring(0, end);
    return media.equals("application/json") || (media.startsWith("application/") && media.endsWith("+json"));
  }

  static String normalizeContentType(String contentType) {
    if (contentType == null) {
      return "";
    }
    String[] parts = contentType.split(";", -1);
    StringBuilder out = new StringBuilder(contentType.length());
    out.append(parts[0].trim().toLowerCase(Locale.ROOT));
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim();
      if (parameter.isEmpty()) {
        continue;
      }
      int equals = parameter.indexOf('=');
      String name = (equals < 0 ? parameter : parameter.substring(0, equals)).trim().toLowerCase(Locale.ROOT);
      String value = equals < 0 ? "" : parameter.substring(equals + 1).trim();
      if (name.equals("charset")) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        value = value.toLowerCase(Locale.ROOT);
      }
      out.append(';').append(name);
      if (equals >= 0) {
        out.append('=').append(value);
      }
    }
    return out.toString();
  }
}
