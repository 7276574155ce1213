package dev.idempo.gateway;

import java.util.HashSet;
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

  private final Set<String> named;

  private HopByHopHeaders(Set<String> named) {
    this.named = named;
  }

  /**
   * The hop-by-hop headers of a message with {@code headers}, including those its Connection names.
   */
  static HopByHopHeaders of(HttpFields headers) {
    Set<String> named = new HashSet<>();
    for (String value : headers.getValuesList(HttpHeader.CONNECTION)) {
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
    String name = field.getLowerCaseName();
    return ALWAYS.contains(name) || name.startsWith("proxy-") || named.contains(name);
  }
}
