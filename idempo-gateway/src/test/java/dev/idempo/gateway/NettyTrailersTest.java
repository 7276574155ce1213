package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decoders' shared empty trailer map for bodies that cannot carry trailers: a chunked body's
 * trailer fields still arrive whole, also right after a fixed-length message on the same
 * connection, in the same read.
 */
class NettyTrailersTest {
  @Test
  void requestTrailersSurviveAfterAFixedLengthRequestInTheSameRead() {
    EmbeddedChannel channel =
        new EmbeddedChannel(new NettyGateway.StrictRequestDecoder(8192, 8192, 16 << 10));
    channel.writeInbound(
        ascii(
            "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
                + "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\n{}\r\n0\r\nX-Checksum: 42\r\n\r\n"
                + "POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n1"));
    List<LastHttpContent> ends = ends(channel);
    assertEquals(3, ends.size());
    assertTrue(ends.get(0).trailingHeaders().isEmpty());
    assertEquals("42", ends.get(1).trailingHeaders().get("X-Checksum"));
    assertTrue(ends.get(2).trailingHeaders().isEmpty());
    channel.finishAndReleaseAll();
  }

  @Test
  void sharedHeaderNamesKeepTheCallersSpelling() {
    EmbeddedChannel channel =
        new EmbeddedChannel(new NettyGateway.StrictRequestDecoder(8192, 8192, 16 << 10));
    channel.writeInbound(
        ascii(
            String.join(
                "\r\n",
                "POST /a HTTP/1.1",
                "Host: x",
                "Idempotency-Key: k1",
                "idempotency-KEY: k2",
                "authorization: Bearer t",
                "Content-Length: 0",
                "",
                "")));
    HttpRequest request = channel.readInbound();
    List<String> names = new ArrayList<>();
    request
        .headers()
        .iteratorCharSequence()
        .forEachRemaining(f -> names.add(f.getKey().toString()));
    assertEquals(
        List.of("Host", "Idempotency-Key", "idempotency-KEY", "authorization", "Content-Length"),
        names);
    assertEquals(List.of("k1", "k2"), request.headers().getAll("Idempotency-Key"));
    channel.finishAndReleaseAll();
  }

  @Test
  void responseTrailersSurviveAfterAFixedLengthResponseInTheSameRead() {
    // As NettyUpstream composes an upstream connection: the handler after the codec sees each head
    // before the decoder decodes its body.
    NettyGateway.Trailers trailers = new NettyGateway.Trailers();
    List<HttpObject> read = new ArrayList<>();
    EmbeddedChannel channel =
        new EmbeddedChannel(
            new HttpClientCodec(new HttpDecoderConfig().setTrailersFactory(trailers), false, false),
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object message) {
                if (message instanceof HttpResponse head) {
                  trailers.expect(head);
                }
                read.add((HttpObject) message);
              }
            });
    for (int i = 0; i < 3; i++) {
      channel.writeOutbound(
          new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/" + i));
    }
    channel.releaseOutbound();
    channel.writeInbound(
        ascii(
            "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\n{}\r\n0\r\nX-Checksum: 42\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1"));
    List<LastHttpContent> ends = new ArrayList<>();
    for (HttpObject object : read) {
      assertTrue(object.decoderResult().isSuccess(), object.toString());
      if (object instanceof LastHttpContent end) {
        ends.add(end);
      }
    }
    assertEquals(3, ends.size());
    assertTrue(ends.get(0).trailingHeaders().isEmpty());
    assertEquals("42", ends.get(1).trailingHeaders().get("X-Checksum"));
    assertTrue(ends.get(2).trailingHeaders().isEmpty());
    read.forEach(ReferenceCountUtil::release);
    channel.finishAndReleaseAll();
  }

  private static List<LastHttpContent> ends(EmbeddedChannel channel) {
    List<LastHttpContent> ends = new ArrayList<>();
    for (Object read = channel.readInbound(); read != null; read = channel.readInbound()) {
      assertTrue(((HttpObject) read).decoderResult().isSuccess(), read.toString());
      if (read instanceof LastHttpContent end) {
        ends.add(end);
      }
      ReferenceCountUtil.release(read);
    }
    return ends;
  }

  private static ByteBuf ascii(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
  }
}
