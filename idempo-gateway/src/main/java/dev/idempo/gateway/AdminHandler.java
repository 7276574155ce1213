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
    String path = Request.getPathInContext(request);
    boolean read = request.getMethod().equals("GET") || request.getMethod().equals("HEAD");
    if (read && path.equals("/health")) {
      health(response, callback);
    } else if (read && path.equals("/metrics")) {
      answer(response, callback, 200, PROMETHEUS_TEXT, metrics.scrape());
    } else {
      answer(
          response,
          callback,
          404,
          "application/json",
          "{\"error\":\"not found; try /health or /metrics\"}");
    }
    return true;
  }

  private void health(Response response, Callback callback) {
    String store = JsonText.quote(storeDescription);
    try {
      this.store.find(PROBE);
      answer(
          response,
          callback,
          200,
          "application/json",
          "{\"status\":\"UP\",\"store\":" + store + "}");
    } catch (RuntimeException e) {
      answer(
          response,
          callback,
          503,
          "application/json",
          "{\"status\":\"DOWN\",\"store\":"
              + store
              + ",\"reason\":"
              + JsonText.quote(StoreConnection.oneLine(e))
              + "}");
    }
  }

  private static void answer(
      Response response, Callback callback, int status, String type, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }
}
