package dev.idempo.http.tck;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application the contract suite puts each adapter in front of, with no server API: an
 * adapter's harness hosts it in its own server (a servlet, a Spring controller, an upstream behind
 * a proxy) and passes every request through {@link #handle}. It behaves the same on every path and
 * method; what it does is chosen by request headers, which no adapter fingerprints:
 *
 * <ul>
 *   <li>{@value #CASE_HEADER}: the test case the request belongs to; executions are counted per
 *       case ({@link #executions});
 *   <li>{@value #STATUS_HEADER}: the statuses of successive runs, comma-separated, the last one
 *       repeating ({@code 503,201}: the first run answers 503, every later one 201); 201 when
 *       absent;
 *   <li>{@value #BLOCK_HEADER}{@code : true}: the run signals {@link #awaitEntered} and then waits
 *       until {@link #release} (at most 30 s);
 *   <li>{@value #THROW_HEADER}: the runs, comma-separated, that throw instead of answering ({@code
 *       1}: the first run fails, later ones answer);
 *   <li>{@value #BODY_BYTES_HEADER}: pads the body to at least that many bytes;
 *   <li>{@value #HEADER_BYTES_HEADER}: adds an {@code X-Tck-Padding} header with a value of that
 *       many bytes;
 *   <li>{@value #INTERIM_HEADER}: interim (1xx) statuses, comma-separated, to send before the final
 *       answer; only a host that writes raw bytes ({@link ContractUpstream#startRaw}) sends them, a
 *       103 with a {@code Link} header.
 * </ul>
 *
 * <p>Every run answers its status with {@code Content-Type: application/json}, a {@code Location}
 * and an {@code ETag} naming the run (both stored for replay), a {@code Set-Cookie} and an {@code
 * X-Tck-Unlisted} header (neither ever replayed), and a body that echoes the run, the method, the
 * query and the request body: {@code {"case":"c","run":1,"method":"POST","query":"",
 * "body":"..."}}. Thread-safe.
 */
public final class ContractApplication {
  /** An application that has run nothing yet. */
  public ContractApplication() {}

  /** The request header naming the test case. */
  public static final String CASE_HEADER = "X-Tck-Case";

  /** The request header choosing the statuses of successive runs. */
  public static final String STATUS_HEADER = "X-Tck-Status";

  /** The request header that makes a run wait for {@link #release}. */
  public static final String BLOCK_HEADER = "X-Tck-Block";

  /** The request header naming the runs that throw. */
  public static final String THROW_HEADER = "X-Tck-Throw";

  /** The request header padding the response body. */
  public static final String BODY_BYTES_HEADER = "X-Tck-Body-Bytes";

  /** The request header asking for a response header of that many bytes. */
  public static final String HEADER_BYTES_HEADER = "X-Tck-Header-Bytes";

  /** The request header asking for interim (1xx) responses before the final one. */
  public static final String INTERIM_HEADER = "X-Tck-Interim";

  /** The response header {@value #HEADER_BYTES_HEADER} asks for. */
  public static final String PADDING_HEADER = "X-Tck-Padding";

  /** A response header that is not on the stored-header allow-list. */
  public static final String UNLISTED_HEADER = "X-Tck-Unlisted";

  private static final long BLOCK_LIMIT_SECONDS = 30;

  private final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> entered = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

  /**
   * A request as the host server saw it.
   *
   * @param headers header values by name, looked up case-insensitively
   */
  @SuppressWarnings("ArrayRecordComponent") // handed to the application, never compared or hashed
  public record Request(
      String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
    public Request {
      Objects.requireNonNull(method, "method must not be null");
      Objects.requireNonNull(path, "path must not be null");
      query = query == null ? "" : query;
      Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      Objects.requireNonNull(headers, "headers must not be null")
          .forEach(
              (name, values) -> copy.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values));
      headers = Collections.unmodifiableMap(copy);
      body = body == null ? new byte[0] : body.clone();
    }

    /** The first value of header {@code name}, or null. */
    public String header(String name) {
      List<String> values = headers.get(name);
      return values == null || values.isEmpty() ? null : values.get(0);
    }
  }

  /**
   * What the host server sends back.
   *
   * @param headers header values by name, in the order the application set them
   * @param interim the interim (1xx) statuses a raw host sends first; usually none
   */
  @SuppressWarnings("ArrayRecordComponent") // handed to an adapter, never compared or hashed
  public record Response(
      int status, Map<String, List<String>> headers, byte[] body, List<Integer> interim) {
    /** The {@code Content-Type} of every response. */
    public String contentType() {
      return headers.get("Content-Type").get(0);
    }
  }

  /**
   * Runs the application once for {@code request}, counting the run for its case.
   *
   * @throws IllegalStateException on a run {@value #THROW_HEADER} names, as a failing handler
   */
  public Response handle(Request request) {
    String testCase = String.valueOf(request.header(CASE_HEADER));
    int run = executions.computeIfAbsent(testCase, c -> new AtomicInteger()).incrementAndGet();
    if ("true".equals(request.header(BLOCK_HEADER))) {
      entered(testCase).countDown();
      awaitGate(testCase);
    }
    if (numbers(request.header(THROW_HEADER)).contains(run)) {
      throw new IllegalStateException(
          "the contract application failed on run " + run + " of case " + testCase + " as asked");
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Content-Type", List.of("application/json"));
    headers.put("Location", List.of("/things/" + testCase + "/" + run));
    headers.put("ETag", List.of("\"" + testCase + "-" + run + "\""));
    headers.put("Set-Cookie", List.of("session=s" + run + "; Path=/"));
    headers.put(UNLISTED_HEADER, List.of("u" + run));
    String headerBytes = request.header(HEADER_BYTES_HEADER);
    if (headerBytes != null) {
      headers.put(PADDING_HEADER, List.of("p".repeat(Integer.parseInt(headerBytes.trim()))));
    }
    String body =
        "{\"case\":"
            + json(testCase)
            + ",\"run\":"
            + run
            + ",\"method\":"
            + json(request.method())
            + ",\"query\":"
            + json(request.query())
            + ",\"body\":"
            + json(new String(request.body(), StandardCharsets.UTF_8));
    String bodyBytes = request.header(BODY_BYTES_HEADER);
    if (bodyBytes != null) {
      int padding = Integer.parseInt(bodyBytes.trim()) - body.length() - ",\"pad\":\"\"}".length();
      body += ",\"pad\":\"" + "p".repeat(Math.max(0, padding)) + "\"";
    }
    body += "}";
    return new Response(
        status(request.header(STATUS_HEADER), run),
        headers,
        body.getBytes(StandardCharsets.UTF_8),
        numbers(request.header(INTERIM_HEADER)));
  }

  /** The comma-separated numbers of a header value; none when absent. */
  private static List<Integer> numbers(String value) {
    List<Integer> numbers = new ArrayList<>();
    if (value != null && !value.isBlank()) {
      for (String each : value.split(",", -1)) {
        numbers.add(Integer.parseInt(each.trim()));
      }
    }
    return List.copyOf(numbers);
  }

  /** How often the application ran for {@code testCase}. */
  public int executions(String testCase) {
    AtomicInteger count = executions.get(testCase);
    return count == null ? 0 : count.get();
  }

  /**
   * Waits until a blocking run of {@code testCase} has started.
   *
   * @return false if none started within {@code seconds}
   */
  public boolean awaitEntered(String testCase, long seconds) throws InterruptedException {
    return entered(testCase).await(seconds, TimeUnit.SECONDS);
  }

  /** Lets every blocking run of {@code testCase}, present and future, answer. */
  public void release(String testCase) {
    gate(testCase).countDown();
  }

  /** Releases every blocked run, so a host server can stop. */
  public void releaseAll() {
    gates.values().forEach(CountDownLatch::countDown);
  }

  private CountDownLatch entered(String testCase) {
    return entered.computeIfAbsent(testCase, c -> new CountDownLatch(1));
  }

  private CountDownLatch gate(String testCase) {
    return gates.computeIfAbsent(testCase, c -> new CountDownLatch(1));
  }

  private void awaitGate(String testCase) {
    try {
      if (!gate(testCase).await(BLOCK_LIMIT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released case " + testCase);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while case " + testCase + " was blocked", e);
    }
  }

  private static int status(String statuses, int run) {
    if (statuses == null || statuses.isBlank()) {
      return 201;
    }
    String[] each = statuses.split(",", -1);
    return Integer.parseInt(each[Math.min(run, each.length) - 1].trim());
  }

  /** A JSON string literal: enough escaping for the text the suite sends. */
  private static String json(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  @Override
  public String toString() {
    return "ContractApplication[" + executions.size() + " cases]";
  }
}
