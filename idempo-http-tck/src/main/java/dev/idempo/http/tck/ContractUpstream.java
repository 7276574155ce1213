package dev.idempo.http.tck;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A {@link ContractApplication} served on a loopback port: the upstream a proxy adapter (the
 * gateway) is put in front of. {@link #start} serves it with the JDK's HTTP server; {@link
 * #startRaw} writes HTTP/1.1 bytes itself on a plain server socket, so it can send what no server
 * library sends on demand: interim (1xx) responses before the answer ({@link
 * ContractApplication#INTERIM_HEADER}) and header sections of any size. Either way a run that
 * throws closes the connection without an answer, as a crashing upstream does. Thread-safe; one
 * thread per request, so blocked runs never hold up others.
 */
public final class ContractUpstream implements AutoCloseable {
  private static final int MAX_HEAD_BYTES = 64 << 10;

  private final ContractApplication application;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "contract-upstream");
            thread.setDaemon(true);
            return thread;
          });
  private HttpServer server;
  private ServerSocket rawServer;

  private ContractUpstream(ContractApplication application) {
    this.application = application;
  }

  /** Starts serving {@code application} with the JDK's HTTP server on a free loopback port. */
  public static ContractUpstream start(ContractApplication application) throws IOException {
    ContractUpstream upstream = new ContractUpstream(application);
    upstream.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    upstream.server.createContext("/", upstream::serve);
    upstream.server.setExecutor(upstream.threads);
    upstream.server.start();
    return upstream;
  }

  /**
   * Starts serving {@code application} over raw sockets on a free loopback port: one request per
   * connection, answered with {@code Connection: close}; bodies with a {@code Content-Length} or
   * chunked.
   */
  public static ContractUpstream startRaw(ContractApplication application) throws IOException {
    ContractUpstream upstream = new ContractUpstream(application);
    upstream.rawServer = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
    upstream.threads.execute(upstream::acceptRaw);
    return upstream;
  }

  /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
  public URI uri() {
    int port = server != null ? server.getAddress().getPort() : rawServer.getLocalPort();
    return URI.create("http://127.0.0.1:" + port);
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      URI target = exchange.getRequestURI();
      ContractApplication.Response response =
          application.handle(
              new ContractApplication.Request(
                  exchange.getRequestMethod(),
                  target.getRawPath(),
                  target.getRawQuery(),
                  exchange.getRequestHeaders(),
                  exchange.getRequestBody().readAllBytes()));
      for (Map.Entry<String, List<String>> header : response.headers().entrySet()) {
        exchange.getResponseHeaders().put(header.getKey(), header.getValue());
      }
      boolean bodiless = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(response.status(), bodiless ? -1 : response.body().length);
      if (!bodiless) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(response.body());
        }
      }
    }
  }

  private void acceptRaw() {
    while (!rawServer.isClosed()) {
      try {
        Socket socket = rawServer.accept();
        threads.execute(() -> serveRaw(socket));
      } catch (IOException | RuntimeException e) {
        // closed, or the executor was shut down: the loop ends with the socket
      }
    }
  }

  private void serveRaw(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      String[] head = readHead(in).split("\r\n", -1);
      String[] requestLine = head[0].split(" ");
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (int i = 1; i < head.length; i++) {
        int colon = head[i].indexOf(':');
        headers
            .computeIfAbsent(head[i].substring(0, colon).trim(), n -> new ArrayList<>())
            .add(head[i].substring(colon + 1).trim());
      }
      ContractApplication.Request request = request(requestLine, headers, in);
      ContractApplication.Response response = application.handle(request);
      OutputStream out = socket.getOutputStream();
      for (int interim : response.interim()) {
        out.write(("HTTP/1.1 " + interim + " Interim\r\n").getBytes(StandardCharsets.US_ASCII));
        if (interim == 103) {
          out.write("Link: </hint.css>; rel=preload\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      StringBuilder answer = new StringBuilder("HTTP/1.1 " + response.status() + " Final\r\n");
      response
          .headers()
          .forEach((name, values) -> values.forEach(v -> answer.append(name + ": " + v + "\r\n")));
      boolean bodiless = request.method().equals("HEAD");
      answer.append("Content-Length: ").append(response.body().length).append("\r\n");
      answer.append("Connection: close\r\n\r\n");
      out.write(answer.toString().getBytes(StandardCharsets.UTF_8));
      if (!bodiless) {
        out.write(response.body());
      }
      out.flush();
    } catch (IOException | RuntimeException e) {
      // A run that threw, or a client that went away: the connection closes without an answer.
    }
  }

  private static ContractApplication.Request request(
      String[] requestLine, Map<String, List<String>> headers, InputStream in) throws IOException {
    String target = requestLine[1];
    int question = target.indexOf('?');
    String path = question < 0 ? target : target.substring(0, question);
    String query = question < 0 ? null : target.substring(question + 1);
    byte[] body;
    String length = first(headers, "Content-Length");
    String encoding = first(headers, "Transfer-Encoding");
    if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      body = readChunked(in);
    } else {
      body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
    }
    return new ContractApplication.Request(requestLine[0], path, query, headers, body);
  }

  private static String first(Map<String, List<String>> headers, String name) {
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      if (header.getKey().equalsIgnoreCase(name)) {
        return header.getValue().get(0);
      }
    }
    return null;
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0 || head.size() > MAX_HEAD_BYTES) {
        throw new IOException("no whole request head");
      }
      head.write(b);
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    return text.substring(0, text.length() - 4);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("connection closed inside a chunked body");
      }
      line.write(b);
    }
    return line.toString(StandardCharsets.ISO_8859_1).trim();
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = readLine(in);
      int semicolon = size.indexOf(';');
      int length = Integer.parseInt(semicolon < 0 ? size : size.substring(0, semicolon), 16);
      if (length == 0) {
        while (!readLine(in).isEmpty()) {
          // trailers: none the application reads
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(length));
      readLine(in);
    }
  }

  @Override
  public void close() throws IOException {
    application.releaseAll();
    if (server != null) {
      server.stop(0);
    }
    if (rawServer != null) {
      rawServer.close();
    }
    threads.shutdownNow();
  }

  @Override
  public String toString() {
    return "ContractUpstream[" + uri() + "]";
  }
}
