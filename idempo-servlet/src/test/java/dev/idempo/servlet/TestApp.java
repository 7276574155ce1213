package dev.idempo.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application behind the filter in the tests: each path is one kind of handler. Every run is
 * counted by the request's {@code X-Case} header, so a test knows how often its handler ran.
 */
final class TestApp extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> entered = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

  int runs(String testCase) {
    AtomicInteger count = runs.get(testCase);
    return count == null ? 0 : count.get();
  }

  /** Counted down when a handler of {@code testCase} on /slow or /wait starts. */
  CountDownLatch entered(String testCase) {
    return entered.computeIfAbsent(testCase, c -> new CountDownLatch(1));
  }

  /** Handlers of {@code testCase} on /slow or /wait wait for this. */
  CountDownLatch gate(String testCase) {
    return gates.computeIfAbsent(testCase, c -> new CountDownLatch(1));
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String testCase = String.valueOf(request.getHeader("X-Case"));
    int run = runs.computeIfAbsent(testCase, c -> new AtomicInteger()).incrementAndGet();
    String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
    if (path.startsWith("/payments") || path.equals("/optional")) {
      if (!request.getMethod().equals("POST") && !request.getMethod().equals("PATCH")) {
        text(response, 200, request.getMethod() + " " + run);
        return;
      }
      String body = read(request.getInputStream());
      response.setStatus(201);
      response.setContentType("application/json");
      response.setHeader("Location", "/payments/" + run);
      response.addCookie(new Cookie("session", "s3cr3t-" + run));
      response.setHeader("X-Secret-Token", "t-" + run);
      response
          .getWriter()
          .write(
              "{\"run\":"
                  + run
                  + ",\"method\":\""
                  + request.getMethod()
                  + "\",\"body\":"
                  + body
                  + "}");
      return;
    }
    switch (path) {
      case "/flaky" -> {
        text(response, run == 1 ? 503 : 201, "run " + run);
        return;
      }
      case "/fail" -> {
        text(response, 500, "boom " + run);
        return;
      }
      case "/slow", "/wait" -> {
        entered(testCase).countDown();
        try {
          if (!gate(testCase).await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("gate of " + testCase + " never opened");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        text(response, 200, "slow " + run);
        return;
      }
      case "/big" -> {
        response.setContentType("text/plain");
        for (int i = 0; i < 5; i++) {
          response.getOutputStream().write("x".repeat(1000).getBytes(StandardCharsets.US_ASCII));
          response.getOutputStream().flush();
        }
        return;
      }
      case "/bigtext" -> {
        // Through the writer, unflushed: the body reaches the filter only when the writer flushes.
        text(response, 201, "y".repeat(3000));
        return;
      }
      case "/flush" -> {
        response.setContentType("text/plain");
        response.getWriter().write("part1 ");
        response.flushBuffer();
        response.setHeader("X-After-Flush", "yes");
        response.getWriter().write("part2");
        return;
      }
      case "/async" -> {
        AsyncContext async = request.startAsync();
        async.start(
            () -> {
              try {
                async.getResponse().setContentType("text/plain");
                async.getResponse().getWriter().write("async " + run);
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
              async.complete();
            });
        return;
      }
      case "/throw" -> throw new IllegalStateException("handler failed on run " + run);
      case "/form" -> {
        text(
            response,
            200,
            "a="
                + request.getParameter("a")
                + " b="
                + request.getParameter("b")
                + " q="
                + request.getParameter("q")
                + " run="
                + run);
        return;
      }
      case "/echo" -> {
        text(response, 200, "echo " + run + ": " + read(request.getInputStream()));
        return;
      }
      case "/error" -> {
        response.sendError(404, "no such thing");
        return;
      }
      default -> text(response, 404, "unknown test path " + path);
    }
  }

  private static void text(HttpServletResponse response, int status, String body)
      throws IOException {
    response.setStatus(status);
    response.setContentType("text/plain;charset=utf-8");
    response.getWriter().write(body);
  }

  private static String read(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }
}
