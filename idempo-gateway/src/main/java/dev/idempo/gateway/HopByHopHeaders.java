package dev.idempo.gateway;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Which headers a proxy must not forward (RFC 9110 §7.6.1): {@code Connection} and every header it
 * names, {@code Keep-Alive}, {@code TE}, {@code Trailer}, {@code Transfer-Encoding}, {@code
 * Upgrade}, and every {@code Proxy-*} header (meant for this hop: {@code Proxy-Authorization},
 * {@code Proxy-Connection}, ...). Stateless.
 */
final class HopByHopHeaders {
  private static final Set<String> ALWAYS =
      Set.of("connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade");

  private static final AsciiString PROXY = AsciiString.cached("proxy-");

  /** Keep-Alive (Netty deprecates its constant: HTTP/2 forbids the header; HTTP/1.1 drops it). */
  static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");

  private static final HopByHopHeaders NONE_NAMED = new HopByHopHeaders(Set.of());

  private final Set<String> named;

  private HopByHopHeaders(Set<String> named) {
    this.named = named;
  }

  /**
   * The hop-by-hop headers of a message with {@code headers}, including those its Connection names.
   */
  static HopByHopHeaders of(HttpFields headers) {
    return named(headers.getValuesList(HttpHeader.CONNECTION));
  }

  /** The same, for a message decoded by Netty. */
  static HopByHopHeaders of(io.netty.handler.codec.http.HttpHeaders headers) {
    if (!headers.contains(HttpHeaderNames.CONNECTION)) {
      return NONE_NAMED; // the common case, without the list getAll builds
    }
    return named(headers.getAll(HttpHeaderNames.CONNECTION));
  }

  private static HopByHopHeaders named(List<String> connection) {
    if (connection.isEmpty()) {
      return NONE_NAMED;
    }
    Set<String> named = new HashSet<>();
    for (String value : connection) {
      for (String name : value.split(",", -1)) {
        String trimmed = name.trim().toLowerCase(Locale.ROOT);
        if (!trimmed.isEmpty()) {
          named.add(trimmed);
        }
      }
    }
    return new HopByHopHeaders(named);
  }

  /** True when {@code field} must not be forwarded. */
  boolean contains(HttpField field) {
    return containsLowerCase(field.getLowerCaseName());
  }

  /**
   * True when the header {@code name} (any case), as Netty decoded it, must not be forwarded;
   * allocates nothing unless the Connection header named other headers.
   */
  boolean contains(CharSequence name) {
    if (isAlwaysHopByHop(name)) {
      return true;
    }
    return !named.isEmpty() && named.contains(name.toString().toLowerCase(Locale.ROOT));
  }

  /** True for the headers that are hop-by-hop whatever Connection says, and every Proxy-*. */
  static boolean isAlwaysHopByHop(CharSequence name) {
    return switch (name.length()) {
      case 2 -> HttpHeaderNames.TE.contentEqualsIgnoreCase(name);
      case 7 ->
          HttpHeaderNames.TRAILER.contentEqualsIgnoreCase(name)
              || HttpHeaderNames.UPGRADE.contentEqualsIgnoreCase(name);
      case 10 ->
          HttpHeaderNames.CONNECTION.contentEqualsIgnoreCase(name)
              || KEEP_ALIVE.contentEqualsIgnoreCase(name);
      case 17 ->
          HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name) || isProxyHeader(name);
      default -> isProxyHeader(name);
    };
  }

  private static boolean isProxyHeader(CharSequence name) {
    return name.length() >= PROXY.length()
        && AsciiString.regionMatches(name, true, 0, PROXY, 0, PROXY.length());
  }

  private boolean containsLowerCase(String name) {
    return ALWAYS.contains(name) || name.startsWith("proxy-") || named.contains(name);
  }
}
