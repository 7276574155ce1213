package dev.idempo.gateway;

/** The HTTP contract through gateways on the Netty engine: the same suite, unchanged. */
class NettyGatewayHttpContractTest extends GatewayHttpContractTest {
  @Override
  Engine engine() {
    return Engine.NETTY;
  }
}
