package dev.idempo.http;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which response headers are stored for replay: an allow-list. By default Content-Type,
 * Content-Location, Location, ETag, Last-Modified, Link, Cache-Control and Content-Encoding (the
 * stored body means nothing without it), plus the configured extras. Never Set-Cookie, Set-Cookie2,
 * Authorization, Proxy-Authorization, or any name containing "token" or "secret" (any case):
 * configuring one is refused, and the filter drops them again when storing. Never the framing
 * headers (Content-Length, Transfer-Encoding, Connection), which adapters compute, nor
 * Idempotent-Replayed, which replays add. Immutable and thread-safe.
 */
final class StoredHeaders {
  static final List<String> DEFAULTS =
      List.of(
          "Content-Type",
          "Content-Location",
          "Location",
          "ETag",
          "Last-Modified",
          "Link",
          "Cache-Control",
          "Content-Encoding");

  private static final Set<String> NEVER =
      Set.of("set-cookie", "set-cookie2", "authorization", "proxy-authorization");
  private static final Set<String> FRAMING =
      Set.of(
          "content-length", "transfer-encoding", "connection", "keep-alive", "trailer", "upgrade");

  private final Set<String> allowed; // case-insensitive

  private StoredHeaders(Set<String> allowed) {
    this.allowed = allowed;
  }

  /**
   * The default allow-list plus {@code extras}.
   *
   * @throws IllegalArgumentException naming the header if an extra is not an HTTP token, is never
   *     stored (a credential or cookie), or is computed by the adapter
   */
  static StoredHeaders withExtras(Collection<String> extras) {
    Set<String> allowed = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    allowed.addAll(DEFAULTS);
    for (String extra : extras) {
      Objects.requireNonNull(extra, "stored header name must not be null");
      if (!CapturedResponse.isToken(extra)) {
        throw new IllegalArgumentException(
            "stored header name must be an HTTP token, was \"" + extra + "\"");
      }
      String why = neverStoredBecause(extra);
      if (why != null) {
        throw new IllegalArgumentException("header " + extra + " is never stored: " + why);
      }
      String lower = extra.toLowerCase(Locale.ROOT);
      if (FRAMING.contains(lower)
          || lower.equals(HttpIdempotency.REPLAYED_HEADER.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(
            "header " + extra + " is never stored: the server adapter writes it on every response");
      }
      allowed.add(extra);
    }
    return new StoredHeaders(Collections.unmodifiableSet(allowed));
  }

  /** Why {@code name} is never stored, or null if it may be. */
  static String neverStoredBecause(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (NEVER.contains(lower)) {
      return "it carries credentials or cookies";
    }
    if (lower.contains("token")) {
      return "its name contains \"token\"";
    }
    if (lower.contains("secret")) {
      return "its name contains \"secret\"";
    }
    return null;
  }

  /** The allowed names, sorted case-insensitively. */
  Set<String> names() {
    return allowed;
  }

  /**
   * {@code response} with only the allowed headers: {@code response} itself when it holds no other
   * (the usual case), else a copy sharing its body, which is immutable.
   */
  CapturedResponse retain(CapturedResponse response) {
    Map<String, List<String>> headers = response.headers();
    int kept = 0;
    for (String name : headers.keySet()) {
      if (isStored(name)) {
        kept++;
      }
    }
    if (kept == headers.size()) {
      return response;
    }
    Map<String, List<String>> retained = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      if (isStored(header.getKey())) {
        retained.put(header.getKey(), header.getValue()); // an immutable list
      }
    }
    return response.withHeaderMap(Collections.unmodifiableMap(retained));
  }

  private boolean isStored(String name) {
    return allowed.contains(name) && neverStoredBecause(name) == null;
  }
}
