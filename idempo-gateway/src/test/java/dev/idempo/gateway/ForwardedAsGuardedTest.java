package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The request the gateway guards is the request the upstream executes: a method or a path the
 * upstream may read differently from how the route matched it is refused, never forwarded.
 */
class ForwardedAsGuardedTest {
  private final List<AutoCloseable> closing = new ArrayList<>();
  private TestUpstream upstream;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
    closing.add(upstream);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private Gateway gateway(Consumer<GatewayConfig.Builder> settings) {
    GatewayConfig.Builder config =
        TestEngine.builder(upstream.uri()).listen("127.0.0.1", 0).store(new CountingStore());
    settings.accept(config);
    Gateway gateway = new Gateway(config.build());
    closing.add(gateway);
    gateway.start();
    return gateway;
  }

  private static final byte[] BODY = "{\"amount\":10}".getBytes(StandardCharsets.UTF_8);
  // A keyed request from a known caller (its tenant is a hash of Authorization).
  private static final String KEY = "Idempotency-Key: k1\r\nAuthorization: Bearer test-caller";

  @ParameterizedTest
  @ValueSource(strings = {"post", "Post", "pOST"})
  void lowercaseMethodIsNeverForwardedAsAnotherMethod(String method) throws Exception {
    Gateway gateway = gateway(config -> {});

    for (int i = 0; i < 3; i++) {
      RawHttp.Answer answer = RawHttp.send(gateway.port(), method, "/charges", KEY, BODY);
      assertEquals(400, answer.status(), answer.head());
      assertTrue(answer.body().contains("request-ambiguous"), answer.body());
    }

    assertEquals(0, upstream.executions(), "a method the client upper-cases is never forwarded");
  }

  @Test
  void lowercaseMethodCannotBypassRequireKey() throws Exception {
    Gateway gateway = gateway(config -> config.keyRequired(true));

    RawHttp.Answer answer = RawHttp.send(gateway.port(), "post", "/charges", "", BODY);

    assertEquals(400, answer.status(), answer.head());
    assertEquals(0, upstream.executions());
  }

  @Test
  void uppercaseMethodIsStillGuardedOnce() throws Exception {
    Gateway gateway = gateway(config -> {});

    for (int i = 0; i < 3; i++) {
      RawHttp.Answer answer = RawHttp.send(gateway.port(), "POST", "/charges", KEY, BODY);
      assertEquals(201, answer.status(), answer.head());
    }

    assertEquals(1, upstream.executions());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/api/..%2Fadmin",
        "/api/%2e%2e/admin",
        "/api/..%5Cadmin",
        "/api/..;x/admin",
        "/a/./b"
      })
  void dotSegmentPathTrickIsRefused(String target) throws Exception {
    Gateway gateway = gateway(config -> {});

    RawHttp.Answer answer = RawHttp.send(gateway.port(), "POST", target, KEY, BODY);

    // Refused by the gateway's problem, or already by Jetty's URI compliance (..%5C, ..;x).
    assertEquals(400, answer.status(), target + " -> " + answer.head());
    assertEquals(0, upstream.executions(), target + " must not reach the upstream");
  }

  @Test
  void encodedSlashWithoutDotSegmentsIsForwardedUnchanged() throws Exception {
    Gateway gateway = gateway(config -> {});

    RawHttp.Answer answer =
        RawHttp.send(gateway.port(), "POST", "/projects/group%2Fname/issues", KEY, BODY);

    assertEquals(201, answer.status(), answer.head());
    assertEquals("/projects/group%2Fname/issues", upstream.last().pathAndQuery());
  }

  @Test
  void rawUtf8TargetReachesTheUpstreamAsTheSameBytes() throws Exception {
    String target = "/charges/%C3%A7a?note=caf\u00e9+ok&x=%C3%A9&y=\u20ac";
    try (RawUpstream raw =
        RawUpstream.answering(
            "HTTP/1.1 201 Created\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")) {
      GatewayConfig config =
          TestEngine.builder(raw.uri()).listen("127.0.0.1", 0).store(new CountingStore()).build();
      Gateway gateway = new Gateway(config);
      closing.add(gateway);
      gateway.start();

      RawHttp.Answer answer = RawHttp.send(gateway.port(), "POST", target, KEY, BODY);

      assertEquals(201, answer.status(), answer.head() + answer.body());
      byte[] line = ("POST " + target + " HTTP/1.1").getBytes(StandardCharsets.UTF_8);
      String expected = new String(line, StandardCharsets.ISO_8859_1);
      assertEquals(expected, raw.lastRequestLine(), "the line's bytes, one Latin-1 character each");
    }
  }
}
