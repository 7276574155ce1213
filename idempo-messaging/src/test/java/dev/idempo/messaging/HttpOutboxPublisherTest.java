package dev.idempo.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.idempo.client.IdempotentHttpClient;
import dev.idempo.testsupport.TestDatabases;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The relay over real HTTP on loopback: the event id is every attempt's Idempotency-Key. */
class HttpOutboxPublisherTest {
  @Test
  void eachEventIsPostedWithItsIdAsIdempotencyKeyAndRefusalsAreRetried() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/webhooks",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          received.add(
              exchange.getRequestHeaders().getFirst("Idempotency-Key")
                  + " "
                  + body
                  + " "
                  + exchange.getRequestHeaders().getFirst("X-Event-Type"));
          exchange.sendResponseHeaders(body.equals("refused") ? 404 : 204, -1);
          exchange.close();
        });
    server.start();
    try {
      DataSource dataSource = TestDatabases.newSqlite();
      Outbox outbox = Outbox.builder(dataSource).build();
      String uri = "http://127.0.0.1:" + server.getAddress().getPort() + "/webhooks";
      List<String> ids = new ArrayList<>();
      try (Connection connection = dataSource.getConnection()) {
        for (String body : List.of("one", "two", "refused")) {
          ids.add(
              outbox.schedule(
                  connection,
                  uri,
                  null,
                  body.getBytes(StandardCharsets.UTF_8),
                  Map.of("X-Event-Type", "order-placed")));
        }
      }
      OutboxRelay relay =
          OutboxRelay.builder(
                  outbox,
                  HttpOutboxPublisher.create(
                      IdempotentHttpClient.create(), "text/plain", Duration.ofSeconds(5)))
              .build();
      assertEquals(2, relay.relayOnce());
      assertTrue(
          received.containsAll(
              List.of(ids.get(0) + " one order-placed", ids.get(1) + " two order-placed")),
          received.toString());
      assertTrue(received.contains(ids.get(2) + " refused order-placed"));
      assertEquals(1, outbox.pendingCount(), "the refused event waits for its retry");
    } finally {
      server.stop(0);
    }
  }
}
