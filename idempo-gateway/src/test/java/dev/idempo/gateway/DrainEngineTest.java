package dev.idempo.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.InMemoryIdempotencyStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Stopping (SIGTERM in the command) on the engine under test: the listener closes at once, a
 * request in flight still gets its answer, and stop returns once it did.
 */
class DrainEngineTest {
  @Test
  void stopLetsTheRequestInFlightFinishAndAcceptsNoNewConnection() throws Exception {
    try (TestUpstream upstream = TestUpstream.start()) {
      Gateway gateway =
          new Gateway(
              TestEngine.builder(upstream.uri())
                  .listen("127.0.0.1", 0)
                  .store(InMemoryIdempotencyStore.create())
                  .drainTimeout(Duration.ofSeconds(30))
                  .build());
      int port = gateway.start();
      Requests requests = new Requests(gateway.uri());
      CompletableFuture<HttpResponse<String>> inFlight =
          requests.postAsync("/hang", "drain-1", "{}");
      await().atMost(Duration.ofSeconds(10)).until(() -> upstream.executions() == 1);

      CompletableFuture<Void> stopping = CompletableFuture.runAsync(gateway::stop);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThrows(IOException.class, () -> connect(port)));
      upstream.releaseHanging();

      HttpResponse<String> answer = inFlight.get(30, TimeUnit.SECONDS);
      stopping.get(30, TimeUnit.SECONDS);
      assertEquals(201, answer.statusCode(), answer.body());
      assertTrue(gateway.awaitStop(Duration.ZERO));
    }
  }

  private static void connect(int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
    }
  }
}
