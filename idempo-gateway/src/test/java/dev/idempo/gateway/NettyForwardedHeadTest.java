package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Netty engine's forwarded head is the caller's, rewritten in place (issue 13: no copy of the
 * headers per request); what it holds is what {@link ForwardedHeadersTest} asserts end to end.
 */
class NettyForwardedHeadTest {
  private NioEventLoopGroup loops;
  private NettyUpstream upstream;

  @BeforeEach
  void start() throws Exception {
    loops = new NioEventLoopGroup(1);
    upstream =
        new NettyUpstream(
            GatewayConfig.builder(URI.create("http://upstream.internal:8080/api")).build(),
            loops,
            NettyTransport.NIO);
  }

  @AfterEach
  void stop() {
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void theCallersHeadersAreRewrittenInPlaceWithHostWhereItStood() {
    HttpRequest caller = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/orders");
    caller
        .headers()
        .add("Host", "api.example")
        .add("Connection", "X-Drop-Me, keep-alive")
        .add("X-Drop-Me", "1")
        .add("Keep-Alive", "timeout=5")
        .add("Proxy-Authorization", "Basic Zm9vOmJhcg==")
        .add("X-Forwarded-For", "10.0.0.1")
        .add("X-Forwarded-Host", "spoofed.example")
        .add("X-Forwarded-Proto", "https")
        .add("X-Keep", "yes")
        .add("X-Forwarded-For", "10.0.0.2")
        .add("Via", "1.0 edge")
        .add("Expect", "100-continue")
        .add("Content-Length", "3")
        .add("Transfer-Encoding", "chunked");

    HttpRequest forwarded =
        upstream.forwardedHead(caller, upstream.target("/orders"), "192.0.2.7", 3, false);

    assertSame(caller.headers(), forwarded.headers(), "the caller's headers, not a copy");
    assertEquals("/api/orders", forwarded.uri());
    assertEquals(
        List.of(
            "Host: upstream.internal:8080",
            "X-Keep: yes",
            "X-Forwarded-For: 10.0.0.1, 10.0.0.2, 192.0.2.7",
            "X-Forwarded-Proto: http",
            "X-Forwarded-Host: api.example",
            "via: 1.0 edge, 1.1 idempo-gateway",
            "content-length: 3"),
        fields(forwarded.headers()));
  }

  @Test
  void severalHostFieldsLeaveOneNamingTheUpstream() {
    HttpRequest caller = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    caller.headers().add("Host", "a.example").add("Host", "b.example");

    HttpHeaders forwarded = upstream.forwardedHead(caller, "/", "192.0.2.7", -1, false).headers();

    assertEquals(List.of("upstream.internal:8080"), forwarded.getAll("Host"));
    assertEquals("a.example", forwarded.get("X-Forwarded-Host"));
    assertFalse(forwarded.contains("Content-Length"));
  }

  @Test
  void theWebhookHeadIsACopyWithTheKeyReplaced() {
    HttpRequest caller = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/hook");
    caller.headers().add("Host", "a.example").add("Idempotency-Key", "the-caller's");

    HttpRequest forwarded = upstream.head(caller, "/hook", "192.0.2.7", 0, false, "stripe:evt_1");

    assertNotSame(caller.headers(), forwarded.headers());
    assertEquals(List.of("stripe:evt_1"), forwarded.headers().getAll("Idempotency-Key"));
    assertEquals("a.example", caller.headers().get("Host"), "the caller's head is unchanged");
  }

  private static List<String> fields(HttpHeaders headers) {
    List<String> fields = new ArrayList<>();
    for (Map.Entry<String, String> field : headers) {
      fields.add(field.getKey() + ": " + field.getValue());
    }
    return fields;
  }
}
