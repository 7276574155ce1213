package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.store.InMemoryIdempotencyStore;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Pass-through requests whose bodies stream upstream as they arrive (chunked, unguarded), many at
 * once, on the engine under test: each reaches the upstream whole and is answered. On Jetty such
 * load sometimes logged {@code IllegalStateException: channel already completed}; the Netty engine
 * has one thread per connection, so its stream has no such race.
 */
class PassThroughStreamEngineTest {
  private static final int CALLERS = 8;
  private static final int REQUESTS_PER_CALLER = 40;

  @Test
  void streamedPassThroughBodiesUnderLoadEachArriveWholeAndAreAnswered() throws Exception {
    try (TestUpstream upstream = TestUpstream.start();
        Gateway gateway =
            new Gateway(
                TestEngine.builder(upstream.uri())
                    .listen("127.0.0.1", 0)
                    .store(InMemoryIdempotencyStore.create())
                    .build())) {
      gateway.start();
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
      List<Future<List<Integer>>> results = new ArrayList<>();
      Set<String> sent = new HashSet<>();
      for (int c = 0; c < CALLERS; c++) {
        int caller = c;
        for (int i = 0; i < REQUESTS_PER_CALLER; i++) {
          sent.add(body(caller, i));
        }
        results.add(
            callers.submit(
                () -> {
                  List<Integer> statuses = new ArrayList<>();
                  for (int i = 0; i < REQUESTS_PER_CALLER; i++) {
                    byte[] body = body(caller, i).getBytes(StandardCharsets.UTF_8);
                    HttpRequest request =
                        HttpRequest.newBuilder(URI.create(gateway.uri() + "/stream/" + caller))
                            .header("Authorization", "Bearer caller")
                            // An input stream of unknown length: sent chunked.
                            .PUT(
                                HttpRequest.BodyPublishers.ofInputStream(
                                    () -> new ByteArrayInputStream(body)))
                            .build();
                    statuses.add(
                        client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
                  }
                  return statuses;
                }));
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<List<Integer>> result : results) {
        statuses.addAll(result.get(120, TimeUnit.SECONDS));
      }
      callers.shutdownNow();

      Set<String> received = new HashSet<>();
      for (TestUpstream.Received request : upstream.received()) {
        received.add(new String(request.body(), StandardCharsets.UTF_8));
      }
      assertEquals(List.of(201), statuses.stream().distinct().toList(), "every request answered");
      assertEquals(sent, received, "every body reached the upstream whole");
    }
  }

  /** A body of about 40 KiB, several chunks, unique to the caller and request. */
  private static String body(int caller, int request) {
    char[] filler = new char[40 << 10];
    Arrays.fill(filler, (char) ('a' + (caller + request) % 26));
    return caller + "/" + request + ":" + new String(filler);
  }
}
