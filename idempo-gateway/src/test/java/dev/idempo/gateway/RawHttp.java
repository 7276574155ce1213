package dev.idempo.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One request written byte for byte on its own connection (no client normalizes the method or the
 * target), and the response read until the server closes: for requests the JDK's client would not
 * send as given.
 */
final class RawHttp {
  /** A response as read off the wire. */
  record Answer(int status, String head, String body) {}

  private RawHttp() {}

  /** Sends {@code method target} with {@code headers} (CRLF-separated lines) and {@code body}. */
  static Answer send(int port, String method, String target, String headers, byte[] body)
      throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      socket.setSoTimeout(30_000);
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.write((method + " ").getBytes(StandardCharsets.US_ASCII));
      request.write(target.getBytes(StandardCharsets.UTF_8));
      String head =
          " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: "
              + body.length
              + "\r\n"
              + (headers.isEmpty() ? "" : headers + "\r\n")
              + "\r\n";
      request.write(head.getBytes(StandardCharsets.US_ASCII));
      request.write(body);
      OutputStream out = socket.getOutputStream();
      out.write(request.toByteArray());
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int end = response.indexOf("\r\n\r\n");
      String responseHead = end < 0 ? response : response.substring(0, end);
      String responseBody = end < 0 ? "" : response.substring(end + 4);
      int status = Integer.parseInt(responseHead.substring(9, 12));
      return new Answer(status, responseHead, responseBody);
    }
  }
}
