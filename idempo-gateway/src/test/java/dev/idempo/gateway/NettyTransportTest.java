package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.epoll.Epoll;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The Netty engine runs on epoll where the gateway ships its native library (Linux x86-64 and
 * aarch64) and on NIO when {@code io.netty.transport.noNative} is set: the {@code netty-nio} test
 * execution sets it and runs the contract suite again on NIO.
 */
class NettyTransportTest {
  private static final boolean NO_NATIVE = Boolean.getBoolean("io.netty.transport.noNative");

  @Test
  void theGatewayForwardsOnTheTransportThisJvmPrefers() throws Exception {
    try (TestUpstream upstream = TestUpstream.start();
        Gateway gateway =
            new Gateway(
                GatewayConfig.builder(upstream.uri())
                    .engine(Engine.NETTY)
                    .listen("127.0.0.1", 0)
                    .build())) {
      gateway.start();
      HttpResponse<String> first = new Requests(gateway.uri()).post("/orders", "t-1", "{}");

      assertEquals(201, first.statusCode(), first.body());
      assertEquals(Optional.of(NettyTransport.preferred()), gateway.nettyTransport());
    }
  }

  @Test
  void epollIsPreferredWhereTheGatewayShipsItsNativeLibraryAndNioElsewhere() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    boolean shipped = os.contains("linux") && (arch.equals("amd64") || arch.equals("aarch64"));

    NettyTransport expected = shipped && !NO_NATIVE ? NettyTransport.EPOLL : NettyTransport.NIO;
    assertEquals(
        expected,
        NettyTransport.preferred(),
        () -> os + "/" + arch + ", epoll unavailable: " + Epoll.unavailabilityCause());
  }
}
