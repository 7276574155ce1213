package dev.idempo.gateway;

import java.net.URI;

/**
 * The engine the gateway tests run on: system property {@code idempo.gateway.test.engine} ({@code
 * JETTY} or {@code NETTY}), which the build sets per surefire execution so that every gateway test
 * runs on both; the default engine when unset.
 */
final class TestEngine {
  static final Engine ENGINE =
      Engine.valueOf(
          System.getProperty("idempo.gateway.test.engine", GatewayConfig.DEFAULT_ENGINE.name()));

  private TestEngine() {}

  /** {@link GatewayConfig#builder(URI)} on the engine under test. */
  static GatewayConfig.Builder builder(URI upstream) {
    return GatewayConfig.builder(upstream).engine(ENGINE);
  }
}
