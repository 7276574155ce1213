package dev.idempo.benchmarks;

import dev.idempo.http.IdempotencyRoute;
import dev.idempo.servlet.IdempotencyFilter;
import dev.idempo.store.InMemoryIdempotencyStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the servlet filter costs per request, in-process with no container: the same handler as
 * {@link ServletFilterServer} ({@code POST /charges}: read the body, answer 201 with a small JSON
 * body) run through {@link IdempotencyFilter} on the in-memory store with a new key (a first run)
 * and with one key (a replay), next to the handler alone ({@code baselineConcurrentHashMap}, named
 * so {@link BenchmarkMain} prints ratios against it). Request and response are the least a
 * container hands a filter: header maps and byte streams, created per request in every benchmark.
 *
 * <p>The store runs on a clock ticking {@value #TICK_NANOS} ns per reading with a {@value
 * #RETENTION_MILLIS} ms retention, so records expire and are reclaimed as new keys arrive (the
 * store never evicts a live record) and at most a thousand or so stay live: the collector's work is
 * the filter's garbage, not a growing store. Run with {@code -prof gc} for bytes allocated per
 * request:
 *
 * <pre>java -jar benchmarks.jar ServletFilterBenchmark -prof gc</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ServletFilterBenchmark {
  static final long TICK_NANOS = 1_000_000;
  static final long RETENTION_MILLIS = 1_000;
  private static final byte[] REQUEST_BODY =
      "{\"order\":42,\"amount\":1000}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] RESPONSE_BODY =
      "{\"id\":\"ch_1\",\"amount\":1000}".getBytes(StandardCharsets.UTF_8);

  /** The handler: what {@link ServletFilterServer}'s endpoint does. */
  private static final FilterChain HANDLER =
      (ServletRequest req, ServletResponse res) -> {
        req.getInputStream().readAllBytes();
        HttpServletResponse response = (HttpServletResponse) res;
        response.setStatus(201);
        response.setContentType("application/json");
        response.setContentLength(RESPONSE_BODY.length);
        response.getOutputStream().write(RESPONSE_BODY);
      };

  @State(Scope.Benchmark)
  public static class Shared {
    final AtomicInteger threadIds = new AtomicInteger();
    IdempotencyFilter filter;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      AtomicLong nanos = new AtomicLong();
      InstantSource ticking = () -> Instant.ofEpochSecond(0, nanos.addAndGet(TICK_NANOS));
      filter =
          IdempotencyFilter.builder(InMemoryIdempotencyStore.builder().clock(ticking).build())
              .route(
                  IdempotencyRoute.builder("/charges")
                      .retention(Duration.ofMillis(RETENTION_MILLIS))
                      .build())
              .build();
      // The replayed key, answered once.
      filter.doFilter(request("replayed"), new Response(), HANDLER);
    }
  }

  @State(Scope.Thread)
  public static class PerThread {
    String prefix;
    long sequence;

    @Setup(Level.Trial)
    public void setUp(Shared shared) {
      prefix = "key-" + shared.threadIds.getAndIncrement() + "-";
    }
  }

  @Benchmark
  public int baselineConcurrentHashMap(PerThread thread) throws Exception {
    Response response = new Response();
    HANDLER.doFilter(request(thread.prefix + thread.sequence++), response);
    return response.status + response.written;
  }

  @Benchmark
  public int filterNewKey(Shared shared, PerThread thread) throws Exception {
    Response response = new Response();
    shared.filter.doFilter(request(thread.prefix + thread.sequence++), response, HANDLER);
    return response.status + response.written;
  }

  @Benchmark
  public int filterReplay(Shared shared) throws Exception {
    Response response = new Response();
    shared.filter.doFilter(request("replayed"), response, HANDLER);
    return response.status + response.written;
  }

  /**
   * The same three scenarios timed by the thread's CPU time instead of the wall clock, for a
   * machine shared with other work (where JMH's wall-clock figures include time spent descheduled):
   * rounds of {@code SECONDS} each, alternating, and the best round of each printed in µs of CPU
   * per request.
   *
   * <pre>java -cp benchmarks.jar dev.idempo.benchmarks.ServletFilterBenchmark [SECONDS] [ROUNDS]
   * </pre>
   */
  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Shared shared = new Shared();
    shared.setUp();
    PerThread thread = new PerThread();
    thread.setUp(shared);
    ServletFilterBenchmark benchmark = new ServletFilterBenchmark();
    String[] names = {"handler alone", "filter, new key", "filter, replay"};
    double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (int round = 0; round < rounds; round++) {
      for (int scenario = 0; scenario < 3; scenario++) {
        long start = cpu.getCurrentThreadCpuTime();
        long end = start + (long) (seconds * 1e9);
        long ops = 0;
        long now;
        do {
          for (int i = 0; i < 1000; i++) {
            sink +=
                switch (scenario) {
                  case 0 -> benchmark.baselineConcurrentHashMap(thread);
                  case 1 -> benchmark.filterNewKey(shared, thread);
                  default -> benchmark.filterReplay(shared);
                };
          }
          ops += 1000;
          now = cpu.getCurrentThreadCpuTime();
        } while (now < end);
        best[scenario] = Math.min(best[scenario], (now - start) / 1e3 / ops);
      }
    }
    for (int scenario = 0; scenario < 3; scenario++) {
      System.out.printf(
          "%-18s %8.2f µs CPU per request (best of %d rounds of %.1f s)%n",
          names[scenario], best[scenario], rounds, seconds);
    }
    System.out.printf(
        "filter adds %.2f µs per new key, %.2f µs per replay (%d)%n",
        best[1] - best[0], best[2] - best[0], sink & 1);
  }

  static Request request(String key) {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put("Host", List.of("127.0.0.1:8080"));
    headers.put("Content-Type", List.of("application/json"));
    headers.put("Content-Length", List.of(String.valueOf(REQUEST_BODY.length)));
    headers.put("Authorization", List.of("Bearer wrk-client"));
    headers.put("Idempotency-Key", List.of(key));
    return new Request(headers, REQUEST_BODY);
  }

  /** An interface whose every method throws: a method a benchmark object does not override. */
  private static <T> T unsupported(Class<T> type) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              throw new UnsupportedOperationException(method.getName());
            }));
  }

  private static final HttpServletRequest NO_REQUEST = unsupported(HttpServletRequest.class);
  private static final HttpServletResponse NO_RESPONSE = unsupported(HttpServletResponse.class);

  /** {@code POST /charges} with a JSON body, as a container hands it to a filter. */
  static final class Request extends HttpServletRequestWrapper {
    private final Map<String, List<String>> headers;
    private final ByteArrayInputStream body;

    Request(Map<String, List<String>> headers, byte[] body) {
      super(NO_REQUEST);
      this.headers = headers;
      this.body = new ByteArrayInputStream(body);
    }

    @Override
    public DispatcherType getDispatcherType() {
      return DispatcherType.REQUEST;
    }

    @Override
    public String getMethod() {
      return "POST";
    }

    @Override
    public String getRequestURI() {
      return "/charges";
    }

    @Override
    public String getServletPath() {
      return "/charges";
    }

    @Override
    public String getPathInfo() {
      return null;
    }

    @Override
    public String getQueryString() {
      return null;
    }

    @Override
    public String getHeader(String name) {
      List<String> values = headers.get(name);
      return values == null ? null : values.get(0);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      return Collections.enumeration(headers.getOrDefault(name, List.of()));
    }

    @Override
    public String getContentType() {
      return getHeader("Content-Type");
    }

    @Override
    public long getContentLengthLong() {
      return REQUEST_BODY.length;
    }

    @Override
    public int getContentLength() {
      return REQUEST_BODY.length;
    }

    @Override
    public String getCharacterEncoding() {
      return null;
    }

    @Override
    public Object getAttribute(String name) {
      return null;
    }

    @Override
    public boolean isAsyncStarted() {
      return false;
    }

    @Override
    public ServletInputStream getInputStream() {
      return new ServletInputStream() {
        @Override
        public int read() {
          return body.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return body.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return body.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException();
        }
      };
    }
  }

  /** A response that keeps status and headers and counts body bytes. */
  static final class Response extends HttpServletResponseWrapper {
    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    int status = 200;
    int written;
    private String encoding;

    Response() {
      super(NO_RESPONSE);
    }

    @Override
    public void setStatus(int status) {
      this.status = status;
    }

    @Override
    public int getStatus() {
      return status;
    }

    @Override
    public void setContentType(String type) {
      setHeader("Content-Type", type);
    }

    @Override
    public String getContentType() {
      return getHeader("Content-Type");
    }

    @Override
    public void setCharacterEncoding(String encoding) {
      this.encoding = encoding;
    }

    @Override
    public String getCharacterEncoding() {
      return encoding;
    }

    @Override
    public void setContentLength(int length) {
      setContentLengthLong(length);
    }

    @Override
    public void setContentLengthLong(long length) {
      headers.put("Content-Length", List.of(Long.toString(length)));
    }

    @Override
    public void setHeader(String name, String value) {
      List<String> values = new ArrayList<>(1);
      values.add(value);
      headers.put(name, values);
    }

    @Override
    public void addHeader(String name, String value) {
      headers.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
    }

    @Override
    public void setIntHeader(String name, int value) {
      setHeader(name, Integer.toString(value));
    }

    @Override
    public void addIntHeader(String name, int value) {
      addHeader(name, Integer.toString(value));
    }

    @Override
    public boolean containsHeader(String name) {
      return headers.containsKey(name);
    }

    @Override
    public String getHeader(String name) {
      List<String> values = headers.get(name);
      return values == null ? null : values.get(0);
    }

    @Override
    public Collection<String> getHeaders(String name) {
      return headers.getOrDefault(name, List.of());
    }

    @Override
    public Collection<String> getHeaderNames() {
      return new ArrayList<>(headers.keySet());
    }

    @Override
    public boolean isCommitted() {
      return written > 0;
    }

    @Override
    public void flushBuffer() {}

    @Override
    public ServletOutputStream getOutputStream() {
      return new ServletOutputStream() {
        @Override
        public void write(int b) {
          written++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
          written += len;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
          throw new UnsupportedOperationException();
        }
      };
    }
  }
}
