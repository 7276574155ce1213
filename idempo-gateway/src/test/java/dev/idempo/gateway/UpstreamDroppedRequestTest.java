package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.http.tck.ContractApplication;
import dev.idempo.http.tck.ContractUpstream;
import dev.idempo.store.InMemoryIdempotencyStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression: the gateway sent a POST again after its upstream had read it, acted on it and closed
 * the connection without answering, whenever the close was seen before Jetty's commit callback for
 * the request had run: the request counted as "not sent", and the resend meant for connections
 * closed before a byte was written ran the operation twice (about 1 in 15 such requests on a loaded
 * machine). A request counts as sent from the moment Jetty begins it.
 */
class UpstreamDroppedRequestTest {
  private static final int DROPPED = 150;

  @Test
  void aRequestTheUpstreamReadAndDroppedWithoutAnAnswerIsNeverSentAgain() throws Exception {
    ContractApplication application = new ContractApplication();
    HttpClient client = HttpClient.newHttpClient();
    try (ContractUpstream upstream = ContractUpstream.start(application);
        Gateway gateway =
            new Gateway(
                TestEngine.builder(upstream.uri())
                    .listen("127.0.0.1", 0)
                    .store(InMemoryIdempotencyStore.create())
                    .build())) {
      gateway.start();
      List<String> twice = new ArrayList<>();
      for (int i = 0; i < 2 * DROPPED; i++) {
        // Answered requests in between keep connections pooled, as in production.
        boolean dropped = i % 2 == 1;
        String testCase = "case-" + i;
        HttpRequest.Builder request =
            HttpRequest.newBuilder(URI.create(gateway.uri() + "/charges"))
                .header("Authorization", "Bearer caller")
                .header("Idempotency-Key", "key-" + i)
                .header(ContractApplication.CASE_HEADER, testCase)
                .POST(HttpRequest.BodyPublishers.ofString("{}"));
        if (dropped) {
          request.header(ContractApplication.THROW_HEADER, "1");
        }
        HttpResponse<String> answer =
            client.send(request.build(), HttpResponse.BodyHandlers.ofString());

        if (application.executions(testCase) > 1) {
          twice.add(testCase + " (" + answer.statusCode() + ")");
        } else if (dropped) {
          assertEquals(502, answer.statusCode(), answer.body());
          assertTrue(answer.body().contains("outcome-unknown"), answer.body());
        }
      }
      assertEquals(List.of(), twice, "requests the upstream ran twice");
    }
  }
}
