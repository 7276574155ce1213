package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What only the Netty engine promises: no store call that may block runs on an event loop. */
class NettyGatewayTest {
  private TestUpstream upstream;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
  }

  @AfterEach
  void stopUpstream() {
    upstream.close();
  }

  @Test
  void storeCallsThatMayBlockNeverRunOnAnEventLoop() throws Exception {
    // Not the in-memory store class: the gateway must assume its calls block.
    CountingStore store = new CountingStore();
    try (Gateway gateway =
        new Gateway(
            GatewayConfig.builder(upstream.uri())
                .engine(Engine.NETTY)
                .listen("127.0.0.1", 0)
                .store(store)
                .build())) {
      gateway.start();
      Requests requests = new Requests(gateway.uri());

      HttpResponse<String> first = requests.post("/orders", "loop-1", "{}");
      HttpResponse<String> retry = requests.post("/orders", "loop-1", "{}");
      HttpResponse<String> failed = requests.post("/close", "loop-2", "{}");

      assertEquals(201, first.statusCode(), first.body());
      assertEquals(Optional.of("true"), retry.headers().firstValue("Idempotent-Replayed"));
      assertEquals(502, failed.statusCode(), failed.body());
      assertTrue(store.calls() >= 4, "claims, a complete and an unknown outcome recorded");
      assertFalse(store.threads().isEmpty());
      for (String thread : store.threads()) {
        assertFalse(thread.startsWith("idempo-gateway-loop"), "a store call on " + thread);
      }
    }
  }
}
