package dev.idempo.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.Fingerprint;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestFingerprintTest {
  private static final URI URI_A = URI.create("http://127.0.0.1:1/charges");

  private static HttpRequest post(URI uri, String body, String contentType) {
    return HttpRequest.newBuilder(uri)
        .header("Content-Type", contentType)
        .POST(BodyPublishers.ofString(body))
        .build();
  }

  @Test
  void theSameRequestHasTheSameFingerprintAndCanStillBeSent() {
    HttpRequest request = post(URI_A, "{\"amount\":1}", "application/json");
    Fingerprint first = RequestFingerprint.of(request);
    Fingerprint again = RequestFingerprint.of(request); // reading the body must not consume it
    assertEquals(first, again);
    assertEquals(
        RequestFingerprint.of(request),
        RequestFingerprint.of(post(URI_A, "{\"amount\":1}", "application/json")));
  }

  @Test
  void bodyUriContentTypeAndMethodEachMatter() {
    HttpRequest base = post(URI_A, "{\"amount\":1}", "application/json");
    assertNotEquals(
        RequestFingerprint.of(base),
        RequestFingerprint.of(post(URI_A, "{\"amount\":2}", "application/json")));
    assertNotEquals(
        RequestFingerprint.of(base),
        RequestFingerprint.of(
            post(URI.create("http://127.0.0.1:1/refunds"), "{\"amount\":1}", "application/json")));
    assertNotEquals(
        RequestFingerprint.of(base),
        RequestFingerprint.of(post(URI_A, "{\"amount\":1}", "text/plain")));
    assertNotEquals(
        RequestFingerprint.of(base),
        RequestFingerprint.of(
            HttpRequest.newBuilder(URI_A)
                .header("Content-Type", "application/json")
                .PUT(BodyPublishers.ofString("{\"amount\":1}"))
                .build()));
  }

  @Test
  void otherHeadersDoNotMatter() {
    HttpRequest plain = post(URI_A, "{}", "application/json");
    HttpRequest traced =
        HttpRequest.newBuilder(URI_A)
            .header("Content-Type", "application/json")
            .header("X-Request-Id", "r-1")
            .POST(BodyPublishers.ofString("{}"))
            .build();
    assertEquals(RequestFingerprint.of(plain), RequestFingerprint.of(traced));
  }

  @Test
  void fileAndStreamBodiesHashLikeTheirBytes(@TempDir Path dir) throws Exception {
    byte[] bytes = "x".repeat(100_000).getBytes(StandardCharsets.UTF_8);
    Path file = Files.write(dir.resolve("body"), bytes);
    HttpRequest fromBytes =
        HttpRequest.newBuilder(URI_A).POST(BodyPublishers.ofByteArray(bytes)).build();
    HttpRequest fromFile = HttpRequest.newBuilder(URI_A).POST(BodyPublishers.ofFile(file)).build();
    HttpRequest fromStream =
        HttpRequest.newBuilder(URI_A)
            .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
            .build();

    assertEquals(RequestFingerprint.of(fromBytes), RequestFingerprint.of(fromFile));
    assertEquals(RequestFingerprint.of(fromBytes), RequestFingerprint.of(fromStream));
  }

  @Test
  void aRequestWithoutBodyHasAFingerprint() {
    HttpRequest get = HttpRequest.newBuilder(URI_A).GET().build();
    assertEquals(
        RequestFingerprint.of(get),
        RequestFingerprint.of(HttpRequest.newBuilder(URI_A).GET().build()));
  }

  @Test
  void anUnreadableBodyAsksForAnExplicitFingerprint() {
    HttpRequest.BodyPublisher failing =
        BodyPublishers.fromPublisher(
            (Flow.Subscriber<? super ByteBuffer> subscriber) -> {
              subscriber.onSubscribe(
                  new Flow.Subscription() {
                    @Override
                    public void request(long n) {}

                    @Override
                    public void cancel() {}
                  });
              subscriber.onError(new IllegalStateException("stream already consumed"));
            });
    HttpRequest request = HttpRequest.newBuilder(URI_A).POST(failing).build();

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RequestFingerprint.of(request));
    assertTrue(e.getMessage().contains("CallOptions.withFingerprint"), e.getMessage());
    assertTrue(e.getMessage().contains("stream already consumed"), e.getMessage());
  }
}
