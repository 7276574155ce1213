package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

/**
 * The hop-by-hop rule alone, for the headers Jetty refuses before a request reaches the gateway (an
 * {@code Upgrade} to a protocol it does not serve); the rest is tested through the gateway in
 * {@link ForwardedHeadersTest}.
 */
class HopByHopHeadersTest {

  @Test
  void dropsTheFixedSetEveryProxyHeaderAndWhatConnectionNames() {
    HttpFields headers =
        HttpFields.build()
            .add("Connection", "keep-alive, X-Named")
            .add("Connection", " x-also-named ")
            .add("X-Named", "1")
            .add("X-Also-Named", "2")
            .add("Keep-Alive", "timeout=5")
            .add("TE", "trailers")
            .add("Trailer", "X-Sum")
            .add("Transfer-Encoding", "chunked")
            .add("Upgrade", "websocket")
            .add("Proxy-Authorization", "Basic x")
            .add("Proxy-Authenticate", "Basic")
            .add("Proxy-Connection", "close")
            .add("Idempotency-Key", "k")
            .add("X-Kept", "yes")
            .add("Content-Type", "text/plain");

    HopByHopHeaders hopByHop = HopByHopHeaders.of(headers);
    List<String> forwarded = new ArrayList<>();
    for (HttpField field : headers) {
      if (!hopByHop.contains(field)) {
        forwarded.add(field.getName());
      }
    }

    assertEquals(List.of("Idempotency-Key", "X-Kept", "Content-Type"), forwarded);
  }
}
