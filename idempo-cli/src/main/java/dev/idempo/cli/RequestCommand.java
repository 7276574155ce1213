package dev.idempo.cli;

import dev.idempo.IdempotencyKey;
import dev.idempo.client.CallOptions;
import dev.idempo.client.IdempotentHttpClient;
import dev.idempo.client.IdempotentResponse;
import dev.idempo.client.RetriesExhaustedException;
import dev.idempo.client.RetryPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code idempo request}: a curl-like client that is safe to retry. One Idempotency-Key per
 * invocation (or {@code --key}), reused on every retry; full-jitter backoff on network errors, 409
 * in flight, 429 and 503 (honouring Retry-After).
 */
@Command(
    name = "request",
    mixinStandardHelpOptions = true,
    description = {
      "Sends one HTTP request, retrying safely: the same Idempotency-Key on every attempt.",
      "Prints the response body on stdout; the status, the key and whether the answer was a"
          + " replay on stderr. Exit code: 0 for a status below 400, 1 for 400 and above, 3 when"
          + " no answer came."
    })
final class RequestCommand implements Callable<Integer> {
  static final int NO_ANSWER = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", description = "The method, e.g. POST.")
  String method;

  @Parameters(index = "1", description = "The URL, e.g. http://localhost:8080/charges.")
  String url;

  @Option(
      names = {"-d", "--data"},
      description = "The request body, or @FILE to read it from a file.")
  String data;

  @Option(
      names = {"-H", "--header"},
      description = "A header, 'Name: value'; may repeat.")
  List<String> headers = new ArrayList<>();

  @Option(
      names = "--key",
      description = "The Idempotency-Key to use (default: a new UUID per invocation).")
  String key;

  @Option(
      names = "--retries",
      defaultValue = "3",
      description = "Retries after the first attempt, 0 to 20 (default ${DEFAULT-VALUE}).")
  int retries;

  @Option(
      names = "--timeout",
      defaultValue = "30s",
      description = "Timeout of each attempt, e.g. 500ms, 30s (default ${DEFAULT-VALUE}).")
  String timeout;

  @Override
  public Integer call() throws Exception {
    HttpRequest request = request();
    if (retries < 0 || retries > 20) {
      throw usage("--retries must be between 0 and 20, was " + retries);
    }
    IdempotentHttpClient client =
        IdempotentHttpClient.builder()
            .retryPolicy(
                RetryPolicy.builder()
                    .maxAttempts(retries + 1)
                    .maxDelay(Duration.ofSeconds(5))
                    .build())
            .build();
    CallOptions options = CallOptions.defaults();
    if (key != null) {
      try {
        options = CallOptions.key(IdempotencyKey.of(key));
      } catch (IllegalArgumentException e) {
        throw usage("--key: " + e.getMessage());
      }
    }
    PrintWriter err = spec.commandLine().getErr();
    IdempotentResponse<byte[]> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofByteArray(), options);
    } catch (RetriesExhaustedException e) {
      err.println("idempo: no answer: " + e.getMessage());
      err.flush();
      return NO_ANSWER;
    } catch (IOException e) {
      err.println("idempo: no answer from " + url + ": " + e);
      err.flush();
      return NO_ANSWER;
    }
    System.out.write(response.body());
    System.out.flush();
    err.printf(
        "idempo: HTTP %d after %d attempt%s%s%s%n",
        response.statusCode(),
        response.attempts(),
        response.attempts() == 1 ? "" : "s",
        response.key().map(k -> " with Idempotency-Key " + k.value()).orElse(""),
        response.replayed()
            ? "; the answer was a replay of an earlier attempt (Idempotent-Replayed: true)"
            : "");
    err.flush();
    return response.statusCode() < 400 ? 0 : 1;
  }

  private HttpRequest request() throws IOException {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw usage("not a URL: " + url);
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null) {
      throw usage("the URL must be http:// or https:// with a host, was " + url);
    }
    String verb = method.toUpperCase(Locale.ROOT);
    if (!verb.matches("[A-Z]{1,20}")) {
      throw usage("not an HTTP method: " + method);
    }
    HttpRequest.Builder builder;
    try {
      builder = HttpRequest.newBuilder(uri).timeout(parseDuration(timeout));
    } catch (IllegalArgumentException e) {
      throw usage("--timeout: " + e.getMessage());
    }
    boolean contentType = false;
    for (String header : headers) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw usage("a header must be 'Name: value', was '" + header + "'");
      }
      String name = header.substring(0, colon).trim();
      String value = header.substring(colon + 1).trim();
      contentType |= name.equalsIgnoreCase("Content-Type");
      try {
        builder.header(name, value);
      } catch (IllegalArgumentException e) {
        throw usage("header '" + name + "' cannot be set: " + e.getMessage());
      }
    }
    byte[] body = body();
    if (body != null && !contentType && looksLikeJson(body)) {
      builder.header("Content-Type", "application/json");
    }
    return builder
        .method(
            verb,
            body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  private byte[] body() throws IOException {
    if (data == null) {
      return null;
    }
    if (data.startsWith("@")) {
      Path file = Path.of(data.substring(1));
      try {
        return Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        throw usage("-d @FILE: no such file: " + file);
      }
    }
    return data.getBytes(StandardCharsets.UTF_8);
  }

  private static boolean looksLikeJson(byte[] body) {
    for (byte b : body) {
      if (!Character.isWhitespace(b)) {
        return b == '{' || b == '[';
      }
    }
    return false;
  }

  /** Parses 250ms, 30s, 5m, 1h. */
  static Duration parseDuration(String text) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h)").matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "a duration is a number and a unit (ms, s, m, h), e.g. 30s; was '" + text + "'");
    }
    long amount = Long.parseLong(m.group(1));
    Duration duration =
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          default -> Duration.ofHours(amount);
        };
    if (duration.isZero()) {
      throw new IllegalArgumentException("a duration must be positive, was '" + text + "'");
    }
    return duration;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
