package dev.idempo.gateway;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;

/**
 * The Netty engine's I/O transport: epoll on Linux (x86-64 and aarch64, whose native libraries the
 * gateway ships), NIO elsewhere. Epoll makes fewer system calls per request than NIO's selector,
 * which is most of what an event loop spends beside the codecs. {@code
 * -Dio.netty.transport.noNative=true} (Netty's own switch) forces NIO, e.g. to compare the two. The
 * choice is made once per JVM; both pass the same tests.
 */
enum NettyTransport {
  EPOLL,
  NIO;

  /** Epoll where Netty can load it, else NIO. */
  static NettyTransport preferred() {
    return Epoll.isAvailable() ? EPOLL : NIO;
  }

  EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
    return this == EPOLL
        ? new EpollEventLoopGroup(threads, threadFactory)
        : new NioEventLoopGroup(threads, threadFactory);
  }

  Class<? extends ServerChannel> serverChannel() {
    return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  Class<? extends SocketChannel> clientChannel() {
    return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
