package dev.idempo.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * A real HTTP server on a loopback port that behaves like a payment API honouring {@code
 * Idempotency-Key}: each processed request is an effect (a charge), stored under its key and
 * replayed with {@code Idempotent-Replayed: true}; the same key with another body gets 422. Faults
 * are scripted: each request consumes the next {@link Reply}, then the server behaves normally.
 */
final class TestServer implements AutoCloseable {
  /** What one request sees, recorded in arrival order. */
  record Seen(String method, String path, String key, String body) {}

  /** A scripted answer to one request. */
  @FunctionalInterface
  interface Reply {
    void answer(TestServer server, HttpExchange exchange, Seen seen) throws IOException;

    /** A status without processing (nothing charged, nothing stored), with headers and body. */
    static Reply status(int status, String body, String... headerPairs) {
      return (server, exchange, seen) -> respond(exchange, status, body, headerPairs);
    }

    /** 503 with {@code Retry-After}. */
    static Reply unavailable(String retryAfter) {
      return status(503, "", "Retry-After", retryAfter);
    }

    /** Idempo's 409 for a key whose first request still runs. */
    static Reply keyInFlight() {
      return status(
          409,
          "{\"type\":\"urn:idempo:problem:key-in-flight\",\"title\":\"Request in progress\",\"status\":409}",
          "Content-Type",
          "application/problem+json",
          "Retry-After",
          "1");
    }

    /** Stripe's 409 for the same case. */
    static Reply stripeKeyInUse() {
      return status(
          409,
          "{\"error\":{\"type\":\"idempotency_error\",\"code\":\"idempotency_key_in_use\","
              + "\"message\":\"There is currently another in-progress request using this Idempotent Key.\"}}",
          "Content-Type",
          "application/json");
    }

    /** A 409 that is a business conflict, not a key in flight. */
    static Reply businessConflict() {
      return status(
          409,
          "{\"type\":\"urn:example:problem:order-already-shipped\",\"status\":409}",
          "Content-Type",
          "application/problem+json");
    }

    /**
     * The server commits the charge and stores its answer, then drops the connection unanswered.
     */
    static Reply dropAfterEffect() {
      return (server, exchange, seen) -> {
        server.process(seen);
        exchange.close(); // no response headers sent: the JDK server closes the connection
      };
    }

    /** The connection drops before anything happens. */
    static Reply dropBeforeEffect() {
      return (server, exchange, seen) -> exchange.close();
    }

    /** Holds the request until the server closes: the client's request timeout fires. */
    static Reply hang() {
      return (server, exchange, seen) -> {
        try {
          server.closing.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        exchange.close();
      };
    }
  }

  private record Stored(String body, int status, String responseBody) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final ConcurrentLinkedDeque<Reply> script = new ConcurrentLinkedDeque<>();
  private final Map<String, Stored> stored = new HashMap<>();
  private final List<Seen> seen = new ArrayList<>();
  private final CountDownLatch closing = new CountDownLatch(1);
  private int effects;

  private TestServer() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  static TestServer start() {
    return new TestServer();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  /** The next requests get these replies, in order; later ones are processed normally. */
  TestServer script(Reply... replies) {
    script.addAll(Arrays.asList(replies));
    return this;
  }

  /** Charges made: requests processed, replays excluded. */
  synchronized int effects() {
    return effects;
  }

  synchronized List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** The {@code Idempotency-Key} of each request, null where absent. */
  List<String> keysSeen() {
    return seen().stream().map(Seen::key).collect(Collectors.toList());
  }

  int requests() {
    return seen().size();
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Seen request =
          new Seen(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getPath(),
              exchange.getRequestHeaders().getFirst(IdempotentHttpClient.IDEMPOTENCY_KEY),
              body);
      synchronized (this) {
        seen.add(request);
      }
      Reply reply = script.pollFirst();
      if (reply != null) {
        reply.answer(this, exchange, request);
        return;
      }
      Answer answer = process(request);
      if (answer.status() == 422) {
        respond(
            exchange,
            422,
            "{\"type\":\"urn:idempo:problem:key-mismatch\",\"status\":422}",
            "Content-Type",
            "application/problem+json");
      } else if (answer.replayed()) {
        respond(exchange, answer.status(), answer.responseBody(), "Idempotent-Replayed", "true");
      } else {
        respond(
            exchange, answer.status(), answer.responseBody(), "Content-Type", "application/json");
      }
    } finally {
      exchange.close();
    }
  }

  /** Runs the operation once per key; a replay or mismatch changes nothing. */
  private synchronized Answer process(Seen request) {
    if (request.key() != null) {
      Stored previous = stored.get(request.key());
      if (previous != null) {
        return previous.body().equals(request.body())
            ? new Answer(previous.status(), previous.responseBody(), true)
            : new Answer(422, "", false);
      }
    }
    effects++;
    Stored answer = new Stored(request.body(), 201, "{\"charge\":\"ch_" + effects + "\"}");
    if (request.key() != null) {
      stored.put(request.key(), answer);
    }
    return new Answer(answer.status(), answer.responseBody(), false);
  }

  private record Answer(int status, String responseBody, boolean replayed) {}

  private static void respond(HttpExchange exchange, int status, String body, String... headerPairs)
      throws IOException {
    for (int i = 0; i + 1 < headerPairs.length; i += 2) {
      exchange.getResponseHeaders().add(headerPairs[i], headerPairs[i + 1]);
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }
}
