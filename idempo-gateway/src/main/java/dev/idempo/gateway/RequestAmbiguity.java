package dev.idempo.gateway;

import dev.idempo.http.IdempotencyRoute;
import dev.idempo.http.RouteTable;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Why a request cannot be forwarded as received without changing what is guarded, if it cannot. The
 * gateway guards a request by its method and raw path, and the upstream executes what it reads from
 * the bytes forwarded; the two must agree:
 *
 * <ul>
 *   <li>The method must be forwarded as received. Jetty's client upper-cases methods, so a method
 *       with a lower-case letter ({@code post}) would reach the upstream as another method than the
 *       one received: refused, whatever the route.
 *   <li>No spelling of the path may hold a dot segment ({@code ..}, {@code %2e%2e}, {@code ..;x}):
 *       resolved by the upstream it reaches another path than the one sent (above the upstream's
 *       prefix, say).
 *   <li>Every reading of the path an upstream may apply (percent-decoding, {@code %2F} and {@code
 *       \} as separators, dot segments resolved, repeated slashes merged, {@code ;parameters}
 *       dropped, a trailing slash ignored) must be guarded by the same route, or by none, as the
 *       path as sent. Otherwise {@code /x/..%2Fcharges} would pass unguarded while the upstream
 *       runs {@code /charges}. A path whose readings all agree (say {@code /projects/a%2Fb} under
 *       {@code /projects/**}) is forwarded unchanged.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class RequestAmbiguity {
  private static final Pattern REPEATED_SLASHES = Pattern.compile("/{2,}");
  private static final Pattern PARAMETERS = Pattern.compile(";[^/]*");

  private RequestAmbiguity() {}

  /** Why {@code method} on {@code rawPath} is refused, or empty if it is forwarded. */
  static Optional<String> of(RouteTable routes, String method, String rawPath) {
    return of(routes, Set.of(), method, rawPath);
  }

  /**
   * Why {@code method} on {@code rawPath}, a path that is not one of {@code webhookPaths}, is
   * refused, or empty if it is forwarded. Besides the rules above: no reading of the path, nor the
   * path in another letter case (Express and ASP.NET route ignoring case), may be a webhook path.
   * Such a request would reach the upstream's webhook handler without its signature checked.
   */
  static Optional<String> of(
      RouteTable routes, Set<String> webhookPaths, String method, String rawPath) {
    if (!method.toUpperCase(Locale.ENGLISH).equals(method)) {
      return Optional.of(
          "The method \""
              + method
              + "\" has lower-case letters. The gateway's client forwards methods in upper case, so"
              + " the upstream would receive another method than the one sent; send \""
              + method.toUpperCase(Locale.ENGLISH)
              + "\".");
    }
    if (isPlain(rawPath)) {
      // No other spelling or reading: only the letter case may make it a webhook path.
      return webhookLookalike(webhookPaths, rawPath, rawPath);
    }
    for (String reading : spellings(rawPath)) {
      if (!withoutDotSegments(reading).equals(reading)) {
        return Optional.of(
            "The path \""
                + rawPath
                + "\" has a dot segment (\"..\" or \".\", plain or encoded), which the upstream"
                + " may resolve to another path than the one sent, outside the upstream's prefix."
                + " Send the path with its dot segments resolved.");
      }
    }
    Set<String> readings = readings(rawPath);
    Optional<String> lookalike = webhookLookalike(webhookPaths, rawPath, rawPath);
    for (String reading : readings) {
      if (lookalike.isEmpty()) {
        lookalike = webhookLookalike(webhookPaths, rawPath, reading);
      }
    }
    if (lookalike.isPresent()) {
      return lookalike;
    }
    Optional<IdempotencyRoute> asSent = routes.match(method, rawPath);
    for (String reading : readings) {
      Optional<IdempotencyRoute> other = routes.match(method, reading);
      if (!other.equals(asSent)) {
        return Optional.of(
            "The path \""
                + rawPath
                + "\" may be read by the upstream as \""
                + reading
                + "\", which "
                + (other.isPresent()
                    ? "is guarded by route " + other.get().name()
                    : "is not guarded")
                + " while the path as sent "
                + (asSent.isPresent() ? "is guarded by route " + asSent.get().name() : "is not")
                + ". Send the path in its plain form (no encoded slashes or dots, no dot"
                + " segments).");
      }
    }
    return Optional.empty();
  }

  /** Why {@code reading} of {@code rawPath} may reach a webhook path's handler, or empty. */
  private static Optional<String> webhookLookalike(
      Set<String> webhookPaths, String rawPath, String reading) {
    for (String webhookPath : webhookPaths) {
      if (webhookPath.equalsIgnoreCase(reading)) {
        return Optional.of(
            "The path \""
                + rawPath
                + "\" may be read by the upstream as the webhook path \""
                + webhookPath
                + "\", whose deliveries the gateway verifies and deduplicates. Send deliveries to"
                + " \""
                + webhookPath
                + "\" exactly.");
      }
    }
    return Optional.empty();
  }

  /**
   * True when {@code rawPath} has no escape, backslash, parameter, dot, repeated slash or trailing
   * slash: then its only spelling and reading is itself (the common case, decided without
   * allocating).
   */
  static boolean isPlain(String rawPath) {
    char previous = 0;
    for (int i = 0; i < rawPath.length(); i++) {
      char c = rawPath.charAt(i);
      if (c == '%' || c == '\\' || c == ';' || c == '.' || (c == '/' && previous == '/')) {
        return false;
      }
      previous = c;
    }
    return rawPath.length() <= 1 || previous != '/';
  }

  /**
   * {@code rawPath} as an upstream may spell it before resolving dot segments: percent-decoded
   * (only unreserved characters, or all), {@code \\} as a separator, {@code ;parameters} dropped.
   */
  static Set<String> spellings(String rawPath) {
    Set<String> spellings = new LinkedHashSet<>();
    for (String base : new String[] {rawPath, decode(rawPath, true), decode(rawPath, false)}) {
      if (base != null) {
        String slashed = base.replace('\\', '/');
        spellings.add(base);
        spellings.add(slashed);
        spellings.add(withoutParameters(slashed));
      }
    }
    return spellings;
  }

  /** The paths an upstream may route {@code rawPath} as, besides itself. */
  static Set<String> readings(String rawPath) {
    Set<String> readings = new LinkedHashSet<>();
    for (String path : spellings(rawPath)) {
      String resolved = withoutDotSegments(path);
      readings.add(path);
      readings.add(resolved);
      readings.add(REPEATED_SLASHES.matcher(resolved).replaceAll("/"));
      readings.add(withoutParameters(resolved));
      if (resolved.length() > 1 && resolved.endsWith("/")) {
        readings.add(resolved.substring(0, resolved.length() - 1)); // non-strict routers
      }
    }
    readings.remove(rawPath);
    return readings;
  }

  /**
   * {@code path} percent-decoded as UTF-8: only unreserved characters (RFC 3986's normalization) if
   * {@code unreservedOnly}, else every escape; null if an escape is malformed.
   */
  private static String decode(String path, boolean unreservedOnly) {
    if (path.indexOf('%') < 0) {
      return path;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%') {
        if (i + 2 >= path.length()) {
          return null;
        }
        int high = Character.digit(path.charAt(i + 1), 16);
        int low = Character.digit(path.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return null;
        }
        int b = high * 16 + low;
        if (!unreservedOnly || isUnreserved(b)) {
          bytes.write(b);
          i += 2;
          continue;
        }
      }
      byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
      bytes.write(encoded, 0, encoded.length);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static boolean isUnreserved(int b) {
    return (b >= 'a' && b <= 'z')
        || (b >= 'A' && b <= 'Z')
        || (b >= '0' && b <= '9')
        || b == '-'
        || b == '.'
        || b == '_'
        || b == '~';
  }

  /** {@code path} with each segment's {@code ;parameters} dropped, as servlet containers route. */
  private static String withoutParameters(String path) {
    if (path.indexOf(';') < 0) {
      return path;
    }
    return PARAMETERS.matcher(path).replaceAll("");
  }

  /** RFC 3986's remove_dot_segments, for a path starting with {@code /}. */
  static String withoutDotSegments(String path) {
    if (!path.contains(".")) {
      return path;
    }
    String[] segments = path.split("/", -1);
    ArrayDeque<String> out = new ArrayDeque<>();
    for (int i = 1; i < segments.length; i++) {
      String segment = segments[i];
      boolean last = i == segments.length - 1;
      if (segment.equals(".")) {
        if (last) {
          out.addLast("");
        }
      } else if (segment.equals("..")) {
        out.pollLast();
        if (last) {
          out.addLast("");
        }
      } else {
        out.addLast(segment);
      }
    }
    return "/" + String.join("/", out);
  }
}
