package dev.idempo.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.client.examples.ChargeOnce;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The README example, run with every default against the local server. */
class ChargeOnceExampleTest {
  private final TestServer server = TestServer.start();

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void chargesOnceThroughARetry() throws Exception {
    // Retry-After: 0, so the default client retries without waiting.
    server.script(TestServer.Reply.unavailable("0"));

    IdempotentResponse<String> charge =
        ChargeOnce.charge(server.uri("/charges"), "{\"amount\":2000}");

    assertEquals(201, charge.statusCode());
    assertEquals(2, charge.attempts());
    assertEquals(charge.key().orElseThrow().value(), server.keysSeen().get(0));
    assertEquals(server.keysSeen().get(0), server.keysSeen().get(1));
    assertEquals(1, server.effects());
  }

  @Test
  void mainPrintsTheOutcome() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      ChargeOnce.main(new String[] {server.uri("/charges").toString()});
    } finally {
      System.setOut(original);
    }
    String output = printed.toString(StandardCharsets.UTF_8);
    assertTrue(
        output.startsWith(
            "201 after 1 attempt(s) with Idempotency-Key " + server.keysSeen().get(0)),
        output);
    assertEquals(1, server.effects());
  }
}
