package dev.idempo.gateway;

import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.StorageKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The admin listener: {@code GET /health} looks a key up in the store (one cheap read) and answers
 * 200 {@code {"status":"UP"}} or 503 {@code {"status":"DOWN","reason":…}}; {@code GET /metrics}
 * answers the Prometheus text format. Anything else is 404. Thread-safe.
 */
final class AdminHandler extends Handler.Abstract {
  /**
   * A key no request can produce (a storage key is a SHA-256): looking it up reads one index entry.
   */
  private static final StorageKey PROBE = StorageKey.of(new byte[StorageKey.LENGTH]);

  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final IdempotencyStore store;
  private final String storeDescription;
  private final GatewayMetrics metrics;

  AdminHandler(IdempotencyStore store, String storeDescription, GatewayMetrics metrics) {
    this.store = store;
    this.storeDescription = storeDescription;
    this.metrics = metrics;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Answer answer = answer(request.getMethod(), Request.getPathInContext(request));
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    response.setStatus(answer.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.type());
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
    return true;
  }

  /** The answer to {@code method} on {@code path}; may block on the store (for /health). */
  Answer answer(String method, String path) {
    boolean read = method.equals("GET") || method.equals("HEAD");
    if (read && path.equals("/health")) {
      return health();
    } else if (read && path.equals("/metrics")) {
      return new Answer(200, PROMETHEUS_TEXT, metrics.scrape());
    }
    return new Answer(
        404, "application/json", "{\"error\":\"not found; try /health or /metrics\"}");
  }

  private Answer health() {
    String store = JsonText.quote(storeDescription);
    try {
      this.store.find(PROBE);
      return new Answer(200, "application/json", "{\"status\":\"UP\",\"store\":" + store + "}");
    } catch (RuntimeException e) {
      return new Answer(
          503,
          "application/json",
          "{\"status\":\"DOWN\",\"store\":"
              + store
              + ",\"reason\":"
              + JsonText.quote(StoreConnection.oneLine(e))
              + "}");
    }
  }

  /** An admin answer: status, content type and body (served with {@code no-store}). */
  record Answer(int status, String type, String body) {}
}
