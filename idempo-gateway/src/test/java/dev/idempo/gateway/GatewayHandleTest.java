package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The handle an embedding application holds: start, await, stop, without any command line. */
class GatewayHandleTest {
  private static final GatewayConfig CONFIG =
      TestEngine.builder(URI.create("http://127.0.0.1:9"))
          .listen("127.0.0.1", 0)
          .storeLocation(StoreLocation.memory())
          .drainTimeout(Duration.ZERO)
          .build();

  @Test
  void awaitStopReturnsOnceAnotherThreadStopsTheGateway() throws Exception {
    try (Gateway gateway = new Gateway(CONFIG)) {
      gateway.start();
      assertFalse(gateway.awaitStop(Duration.ZERO), "a running gateway has not stopped");

      CountDownLatch waiting = new CountDownLatch(1);
      Thread stopper =
          new Thread(
              () -> {
                try {
                  waiting.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                gateway.stop();
              });
      stopper.start();
      waiting.countDown();

      assertTrue(gateway.awaitStop(Duration.ofSeconds(30)), "stop() ends awaitStop");
      stopper.join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  @Test
  void aGatewayThatFailedToStartDoesNotKeepAnAwaitingThreadWaiting() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Gateway gateway =
          new Gateway(CONFIG.toBuilder().listen("127.0.0.1", taken.getLocalPort()).build());

      assertThrows(GatewayStartException.class, gateway::start);
      assertTrue(gateway.awaitStop(Duration.ZERO));
    }
  }
}
