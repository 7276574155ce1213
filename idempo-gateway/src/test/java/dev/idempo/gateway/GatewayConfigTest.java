package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.InMemoryIdempotencyStore;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {
  private static final URI UPSTREAM = URI.create("http://127.0.0.1:9000");

  @Test
  void theBuilderRefusesBadValuesNamingTheArgument() {
    assertRefused(
        b -> b.listen("127.0.0.1", 70000), "listen port must be between 0 and 65535, was 70000");
    assertRefused(b -> b.listen(" ", 1), "listen host");
    assertRefused(b -> b.admin("127.0.0.1", -1), "admin port must be between 0 and 65535, was -1");
    assertRefused(
        b -> b.maxRequestBodyBytes(-1), "maxRequestBodyBytes must be between 0 and 268435456");
    assertRefused(
        b -> b.maxResponseBodyBytes(300 << 20),
        "maxResponseBodyBytes must be between 0 and 268435456");
    assertRefused(b -> b.upstreamTimeout(Duration.ZERO), "upstreamTimeout must be positive");
    assertRefused(
        b -> b.drainTimeout(Duration.ofHours(1)), "drainTimeout must be between 0 and 10 minutes");
    assertRefused(b -> b.maxThreads(2), "maxThreads must be between 16 and 10000, was 2");
    assertRefused(b -> b.methods(List.of("HEAD")), "HEAD cannot be guarded");
    assertRefused(b -> b.methods(List.of()), "methods must name at least one method");
    assertRefused(b -> b.waitForInFlight(Duration.ofHours(1)), "waitForInFlight must be between");
    assertRefused(b -> b.tenantHeader("bad header"), "tenant header name must be an HTTP token");
  }

  @Test
  void theUpstreamMustBeAPlainHttpUrl() {
    for (String bad :
        new String[] {"ftp://x", "http:///path", "http://x/?q=1", "http://u:p@x", "/relative"}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> GatewayConfig.builder(URI.create(bad)), bad);
      assertTrue(e.getMessage().startsWith("upstream must"), e.getMessage());
    }
  }

  @Test
  void aBuiltConfigurationNeverChangesAndCopiesIntoANewBuilder() {
    GatewayConfig.Builder builder = GatewayConfig.builder(UPSTREAM).lease(Duration.ofSeconds(5));
    GatewayConfig config = builder.build();
    builder.lease(Duration.ofSeconds(9));

    assertEquals(Duration.ofSeconds(5), config.lease());
    GatewayConfig copy = config.toBuilder().keyRequired(true).build();
    assertEquals(Duration.ofSeconds(5), copy.lease());
    assertTrue(copy.keyRequired());
  }

  @Test
  void aGivenStoreReplacesTheLocationAndIsNotOwned() {
    InMemoryIdempotencyStore store = InMemoryIdempotencyStore.create();
    GatewayConfig config = GatewayConfig.builder(UPSTREAM).store(store).build();

    assertEquals(Optional.of(store), config.store());
    assertEquals(Optional.empty(), config.storeLocation());
    assertEquals(
        Optional.of(StoreLocation.memory()),
        config.toBuilder().storeLocation(StoreLocation.memory()).build().storeLocation());
  }

  @Test
  void aGatewayStartsOnceAndReportsItsPortOnlyWhileRunning() {
    Gateway gateway =
        new Gateway(GatewayConfig.builder(UPSTREAM).storeLocation(StoreLocation.memory()).build());
    assertThrows(IllegalStateException.class, gateway::port);
    int port = gateway.start();
    try {
      assertEquals(port, gateway.port());
      assertEquals(URI.create("http://127.0.0.1:" + port), gateway.uri());
      assertThrows(IllegalStateException.class, gateway::start);
    } finally {
      gateway.stop();
    }
    gateway.stop();
    assertThrows(IllegalStateException.class, gateway::port);
  }

  private static void assertRefused(Consumer<GatewayConfig.Builder> setting, String message) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> setting.accept(GatewayConfig.builder(UPSTREAM)));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }
}
