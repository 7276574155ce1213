package dev.idempo.gateway;

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
    return named(headers.getAll(io.netty.handler.codec.http.HttpHeaderNames.CONNECTION));
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

  /** True when the header {@code name} (any case) must not be forwarded. */
  boolean contains(String name) {
    return containsLowerCase(name.toLowerCase(Locale.ROOT));
  }

  private boolean containsLowerCase(String name) {
    return ALWAYS.contains(name) || name.startsWith("proxy-") || named.contains(name);
  }
}
