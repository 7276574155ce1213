package dev.idempo.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream on a plain server socket that answers every request with the bytes given, byte for
 * byte (interim responses, oversized headers: what no HTTP server library sends on demand), and
 * counts the requests it read whole. One connection per request ({@code Connection: close}).
 */
final class RawUpstream implements AutoCloseable {
  private final ServerSocket server;
  private final byte[] answer;
  private final AtomicInteger executions = new AtomicInteger();
  private volatile String lastRequestLine;
  private final Thread acceptor;

  private RawUpstream(byte[] answer) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.answer = answer;
    this.acceptor = new Thread(this::accept, "raw-upstream");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** An upstream writing {@code answer} (CRLF line ends, ASCII) after each whole request. */
  static RawUpstream answering(String answer) throws IOException {
    return new RawUpstream(answer.getBytes(StandardCharsets.ISO_8859_1));
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  int executions() {
    return executions.get();
  }

  /** The last request line read, its bytes as ISO-8859-1 characters (one per byte). */
  String lastRequestLine() {
    return lastRequestLine;
  }

  private void accept() {
    while (!server.isClosed()) {
      try (Socket socket = server.accept()) {
        InputStream in = socket.getInputStream();
        lastRequestLine = readRequest(in);
        executions.incrementAndGet();
        OutputStream out = socket.getOutputStream();
        out.write(answer);
        out.flush();
        socket.shutdownOutput();
        in.readAllBytes(); // until the client closes
      } catch (IOException e) {
        // the next connection
      }
    }
  }

  private static String readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed in the request head");
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    long length = 0;
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n", -1);
    for (String line : lines) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Long.parseLong(line.substring("content-length:".length()).trim());
      }
    }
    in.readNBytes((int) length);
    return lines[0];
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
