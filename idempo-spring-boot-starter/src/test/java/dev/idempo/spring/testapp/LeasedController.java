package dev.idempo.spring.testapp;

import dev.idempo.spring.Idempotent;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** Leased-mode handlers. */
@RestController
public class LeasedController {
  /** Held by the in-flight test: /slow waits on it. */
  public static volatile CountDownLatch slowGate = new CountDownLatch(0);

  /** Counted down when /slow has started. */
  public static volatile CountDownLatch slowStarted = new CountDownLatch(1);

  /** How many more calls of /flaky answer 503. */
  public static final AtomicInteger flakyFailures = new AtomicInteger();

  private final Executions executions;

  public LeasedController(Executions executions) {
    this.executions = executions;
  }

  public record Order(String item, int run) {}

  @PostMapping("/orders")
  @Idempotent
  public ResponseEntity<Order> create(@RequestBody Map<String, String> order) {
    String item = order.get("item");
    int run = executions.record("orders:" + item);
    return ResponseEntity.created(URI.create("/orders/" + item))
        .header("Set-Cookie", "session=s" + run + "; Path=/")
        .header("X-Trace", "trace-" + run)
        .body(new Order(item, run));
  }

  @GetMapping("/orders")
  public Map<String, Integer> list() {
    return Map.of("ok", 1);
  }

  @PostMapping("/orders/{id}/items")
  @Idempotent(name = "order-items")
  public Map<String, Object> addItem(@PathVariable("id") String id, @RequestBody String body) {
    return Map.of("order", id, "run", executions.record("items:" + id));
  }

  @PostMapping("/slow")
  @Idempotent
  public Map<String, Object> slow(@RequestBody String body) throws InterruptedException {
    int run = executions.record("slow:" + body);
    slowStarted.countDown();
    if (!slowGate.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the test never opened the gate");
    }
    return Map.of("run", run);
  }

  @PostMapping("/flaky")
  @Idempotent
  public ResponseEntity<Map<String, Object>> flaky(@RequestBody String body) {
    int run = executions.record("flaky:" + body);
    if (flakyFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
          .body(Map.of("run", run, "status", "busy"));
    }
    return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("run", run, "status", "done"));
  }

  @PostMapping("/broken")
  @Idempotent
  public ResponseEntity<Map<String, Object>> broken(@RequestBody String body) {
    int run = executions.record("broken:" + body);
    return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
        .body(Map.of("run", run, "error", "boom"));
  }

  @PostMapping("/whoami")
  @Idempotent
  public Map<String, Object> whoami(
      @RequestHeader(name = "Authorization") String authorization, @RequestBody String body) {
    return Map.of("caller", authorization, "run", executions.record("whoami:" + authorization));
  }

  @PostMapping("/explode")
  @Idempotent
  public Map<String, Object> explode(@RequestBody String body) {
    executions.record("explode:" + body);
    throw new IllegalStateException("the handler died half-way");
  }

  @PostMapping("/optional")
  @Idempotent(required = false)
  public Map<String, Object> optional(@RequestBody String body) {
    return Map.of("run", executions.record("optional:" + body));
  }

  @PostMapping("/unguarded")
  public Map<String, Object> unguarded(@RequestBody String body) {
    return Map.of("run", executions.record("unguarded:" + body));
  }
}
