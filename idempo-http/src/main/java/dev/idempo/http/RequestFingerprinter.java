package dev.idempo.http;

import dev.idempo.Fingerprint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What makes two requests with the same key "the same request": the method, the path, the raw
 * query, every {@code Content-Type} value in order (media type and parameter names in lower case,
 * the charset value in lower case, spaces around {@code ;} and {@code =} dropped; a quoted value
 * kept byte for byte, so {@code a="x;y"} and {@code a="x; y"} differ), every {@code
 * Content-Encoding} value in order (lower case; {@code gzip} and {@code identity} differ) and the
 * body. A retry whose fingerprint differs is answered {@link ProblemType#KEY_MISMATCH}, never
 * replayed.
 *
 * <p>Stateless and thread-safe.
 */
public enum RequestFingerprinter {
  /** The body's bytes as they are. The default. */
  RAW_BODY,
  /**
   * For {@code application/json} and {@code +json} bodies, the body's canonical JSON: whitespace
   * and the order of object members are ignored, array order is not, strings compare by value
   * ({@code "\}{@code u0041"} is {@code "A"}) and numbers exactly by value ({@code 1.0} is {@code
   * 1}; no digit is ever rounded away). A body that is not well-formed UTF-8 JSON (or nests deeper
   * than 128 levels) falls back to its raw bytes, as does every body of another content type; a raw
   * body and a canonical one never compare equal.
   */
  CANONICAL_JSON;

  private static final Pattern LIST_SEPARATOR = Pattern.compile("\\s*,\\s*");

  /**
   * The fingerprint of a request.
   *
   * @param query the raw query, {@code ""} for none
   * @param contentType the {@code Content-Type} header's value, or null for none
   * @throws NullPointerException if an argument but {@code contentType} is null
   */
  public Fingerprint fingerprint(
      String method, String path, String query, String contentType, byte[] body) {
    return fingerprint(
        method,
        path,
        query,
        contentType == null ? List.of() : List.of(contentType),
        List.of(),
        body);
  }

  /**
   * The fingerprint of a request with every value of its {@code Content-Type} and {@code
   * Content-Encoding} headers: a request whose second {@code Content-Type} or whose encoding
   * differs is another request. With one content type and no encoding it equals {@link
   * #fingerprint(String, String, String, String, byte[])}'s.
   *
   * @param contentTypes the {@code Content-Type} values in order, empty for none
   * @param contentEncodings the {@code Content-Encoding} values in order, empty for none
   * @throws NullPointerException if an argument or a value is null
   */
  public Fingerprint fingerprint(
      String method,
      String path,
      String query,
      List<String> contentTypes,
      List<String> contentEncodings,
      byte[] body) {
    Objects.requireNonNull(method, "method must not be null");
    Objects.requireNonNull(path, "path must not be null");
    Objects.requireNonNull(query, "query must not be null");
    Objects.requireNonNull(contentTypes, "contentTypes must not be null");
    Objects.requireNonNull(contentEncodings, "contentEncodings must not be null");
    Objects.requireNonNull(body, "body must not be null");
    List<String> types = new ArrayList<>(contentTypes.size());
    for (String value : contentTypes) {
      types.add(normalizeContentType(Objects.requireNonNull(value, "content type")));
    }
    // Header values never hold a line feed, so joining by one cannot make two lists equal.
    String type = types.size() == 1 ? types.get(0) : String.join("\n", types);
    Fingerprint.Builder fingerprint =
        Fingerprint.builder()
            .add("method", method)
            .add("path", path)
            .add("query", query)
            .add("content-type", type);
    if (!contentEncodings.isEmpty()) {
      List<String> encodings = new ArrayList<>(contentEncodings.size());
      for (String value : contentEncodings) {
        String encoding = Objects.requireNonNull(value, "content encoding").trim();
        encodings.add(LIST_SEPARATOR.matcher(encoding).replaceAll(",").toLowerCase(Locale.ROOT));
      }
      fingerprint.add("content-encoding", String.join("\n", encodings));
    }
    if (this == CANONICAL_JSON && types.size() == 1 && contentEncodings.isEmpty() && isJson(type)) {
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
    return media.equals("application/json")
        || (media.startsWith("application/") && media.endsWith("+json"));
  }

  static String normalizeContentType(String contentType) {
    if (contentType == null) {
      return "";
    }
    if (contentType.indexOf(';') < 0) {
      // No parameters (the usual "application/json"): the media type alone, with no copy when it
      // is already trimmed and in lower case.
      return contentType.trim().toLowerCase(Locale.ROOT);
    }
    List<String> parts = splitOutsideQuotes(contentType);
    StringBuilder out = new StringBuilder(contentType.length());
    out.append(parts.get(0).trim().toLowerCase(Locale.ROOT));
    for (int i = 1; i < parts.size(); i++) {
      String parameter = parts.get(i).trim();
      if (parameter.isEmpty()) {
        continue;
      }
      int equals = parameter.indexOf('=');
      String name =
          (equals < 0 ? parameter : parameter.substring(0, equals)).trim().toLowerCase(Locale.ROOT);
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

  /** {@code value} split at each {@code ;} outside a quoted string (where {@code \\} escapes). */
  private static List<String> splitOutsideQuotes(String value) {
    List<String> parts = new ArrayList<>();
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (quoted && c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ';' && !quoted) {
        parts.add(value.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(value.substring(start));
    return parts;
  }
}
