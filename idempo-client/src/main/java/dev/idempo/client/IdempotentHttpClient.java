package dev.idempo.client;

import dev.idempo.Fingerprint;
import dev.idempo.IdempotencyKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A retrying HTTP client over {@link HttpClient} that makes retries safe: every logical call that
 * changes something carries one {@code Idempotency-Key}, generated once and resent unchanged on
 * every retry, so a server that deduplicates by key runs the operation at most once even when a
 * response is lost after the server committed it.
 *
 * <pre>{@code
 * IdempotentHttpClient client = IdempotentHttpClient.create();
 * IdempotentResponse<String> charge = client.send(
 *     HttpRequest.newBuilder(uri).POST(BodyPublishers.ofString(json)).build(), BodyHandlers.ofString());
 * }</pre>
 *
 * <p><b>Keys.</b> Requests whose method is in {@link Builder#methods} (POST and PATCH by default)
 * get a key: the caller's ({@link CallOptions#key}, or an {@code Idempotency-Key} header already on
 * the request), one derived from a business id ({@link CallOptions#derivedKey}), the one a {@link
 * KeyJournal} recorded for the operation id ({@link CallOptions#operationId}), or else a fresh one
 * from the key generator (a random UUID, version 4, by default). A call with a caller's key or an
 * operation id carries a key whatever its method.
 *
 * <p><b>Retries</b>, as the {@link RetryPolicy} allows (attempts, total time, full-jitter backoff,
 * budget): on I/O failures (connection refused or reset, timeouts, a response lost), and on 408,
 * 425, 429, 500, 502, 503, 504 and the 409 that says the key is still in flight (a problem whose
 * {@code type} ends in {@code key-in-flight}, or Stripe's {@code idempotency_key_in_use}). Never on
 * other statuses (400, 422, a 409 business conflict, …). A request that carries no key is retried
 * only if its method is idempotent by definition (GET, HEAD, OPTIONS, PUT, DELETE, TRACE). A server
 * delay ({@code Retry-After-Ms}, else {@code Retry-After} as seconds or an HTTP-date) replaces the
 * backoff; one longer than the policy's {@link RetryPolicy#maxServerDelay()} ends the retries. When
 * retries run out on a status, that response is returned ({@link
 * IdempotentResponse#giveUpReason()}); on an I/O failure, a {@link RetriesExhaustedException}
 * saying how many attempts were made and why the client stopped.
 *
 * <p><b>Bodies.</b> A retried request is sent again as is, so its body publisher must be repeatable
 * ({@code ofString}, {@code ofByteArray}, {@code ofFile}, {@code ofInputStream} with a supplier
 * that opens a fresh stream). The bodies of answers that may be retried (the statuses above) are
 * read into memory, and only the final one reaches the caller's body handler.
 *
 * <p><b>Waiting.</b> {@link #send} waits with the policy's {@link dev.idempo.Sleeper}; {@link
 * #sendAsync} holds no thread between attempts, waiting with the {@link AsyncSleeper}. Both are
 * injected so tests advance a fake clock.
 *
 * <p>Defaults ({@link #create()}): an {@link HttpClient} with a 10 s connect timeout, {@link
 * RetryPolicy#defaults()} plus a {@link RetryBudget#create()} of its own, POST and PATCH, UUID v4
 * keys, no journal, {@link AsyncSleeper#SYSTEM}, journal work of async calls on the common pool.
 * Immutable and thread-safe; share one instance.
 */
public final class IdempotentHttpClient {
  /** The request header that carries the key. */
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  /** Methods that may be retried without a key: idempotent by definition (RFC 9110 §9.2.2). */
  static final Set<String> IDEMPOTENT_METHODS =
      Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

  private static final Set<Integer> RETRYABLE_STATUSES = Set.of(408, 425, 429, 500, 502, 503, 504);
  private static final int CONFLICT = 409;
  private static final Set<String> DEFAULT_METHODS = Set.of("POST", "PATCH");
  private static final Pattern UPPER_CASE_METHOD = Pattern.compile("[A-Z][A-Z0-9!#$%&'*+.^_`|~-]*");
  private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient httpClient;
  private final RetryPolicy retryPolicy;
  private final Set<String> methods;
  private final Supplier<IdempotencyKey> keyGenerator;
  private final KeyJournal journal;
  private final AsyncSleeper asyncSleeper;
  private final Executor journalExecutor;

  private IdempotentHttpClient(Builder builder) {
    this.httpClient =
        builder.httpClient != null
            ? builder.httpClient
            : HttpClient.newBuilder().connectTimeout(DEFAULT_CONNECT_TIMEOUT).build();
    this.retryPolicy =
        builder.retryPolicy != null
            ? builder.retryPolicy
            : RetryPolicy.builder().budget(RetryBudget.create()).build();
    this.methods = builder.methods;
    this.keyGenerator = builder.keyGenerator;
    this.journal = builder.journal;
    this.asyncSleeper = builder.asyncSleeper;
    this.journalExecutor = builder.journalExecutor;
  }

  /** A client with every default. */
  public static IdempotentHttpClient create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A random UUID (version 4) key: the default key generator. */
  public static IdempotencyKey randomKey() {
    return IdempotencyKey.of(UUID.randomUUID().toString());
  }

  /**
   * Sends with {@link CallOptions#defaults()}; see {@link #send(HttpRequest, BodyHandler,
   * CallOptions)}.
   */
  public <T> IdempotentResponse<T> send(HttpRequest request, BodyHandler<T> handler)
      throws IOException, InterruptedException {
    return send(request, handler, CallOptions.defaults());
  }

  /**
   * Sends one logical call, retrying as the policy allows, and waits for its final answer.
   *
   * @return the final answer, with the attempt count, key and replay flag
   * @throws RetriesExhaustedException if the last attempt failed with an I/O error and the policy
   *     allows no more; its cause is that error
   * @throws IOException if an attempt failed with an I/O error and the request may not be retried
   *     (it carries no key and its method is not idempotent)
   * @throws InterruptedException if interrupted while sending or waiting to retry
   * @throws JournalMismatchException if the operation id is recorded for another request or key
   * @throws JournalUnavailableException if the journal cannot be written; nothing was sent
   * @throws IllegalArgumentException if the request holds several or an invalid {@code
   *     Idempotency-Key}, or one that differs from the key in {@code options}
   * @throws IllegalStateException if {@code options} names an operation id and the client has no
   *     journal
   */
  public <T> IdempotentResponse<T> send(
      HttpRequest request, BodyHandler<T> handler, CallOptions options)
      throws IOException, InterruptedException {
    LogicalCall<T> call = start(plan(request, handler, options));
    while (true) {
      HttpResponse<AttemptBody<T>> response;
      try {
        response = httpClient.send(call.request, call.attemptHandler);
      } catch (IOException failure) {
        if (!call.eligible) {
          throw failure;
        }
        RetryPolicy.Decision decision = call.retry.onRetryableFailure(null);
        if (!decision.shouldRetry()) {
          throw call.exhausted(failure, decision.reason());
        }
        call.retry.sleep(decision.delay());
        continue;
      }
      if (!call.isRetryable(response)) {
        return await(call.finish(response, null));
      }
      RetryPolicy.Decision decision = call.retry.onRetryableFailure(call.serverDelay(response));
      if (!decision.shouldRetry()) {
        return await(call.finish(response, decision.reason()));
      }
      call.retry.sleep(decision.delay());
    }
  }

  /**
   * Sends with {@link CallOptions#defaults()}; see {@link #sendAsync(HttpRequest, BodyHandler,
   * CallOptions)}.
   */
  public <T> CompletableFuture<IdempotentResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> handler) {
    return sendAsync(request, handler, CallOptions.defaults());
  }

  /**
   * Sends one logical call without blocking: attempts are chained on the {@link HttpClient}'s
   * futures and delays on the {@link AsyncSleeper}, so no thread waits between attempts. Journal
   * work, when an operation id is given, runs on the builder's journal executor.
   *
   * <p>The future fails with the exceptions {@link #send(HttpRequest, BodyHandler, CallOptions)}
   * throws. Cancelling it stops further attempts and cancels the one in flight.
   *
   * @throws IllegalArgumentException at once, for the argument errors {@link #send} reports
   * @throws IllegalStateException at once, if {@code options} names an operation id and the client
   *     has no journal
   */
  public <T> CompletableFuture<IdempotentResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> handler, CallOptions options) {
    Plan<T> plan = plan(request, handler, options);
    CompletableFuture<IdempotentResponse<T>> result = new CompletableFuture<>();
    CompletableFuture<LogicalCall<T>> started =
        plan.operationId != null
            ? CompletableFuture.supplyAsync(() -> start(plan), journalExecutor)
            : CompletableFuture.completedFuture(start(plan));
    // The callback hands every outcome, failures included, to result: nothing else to check.
    CompletableFuture<LogicalCall<T>> unused =
        started.whenComplete(
            (call, error) -> {
              if (error != null) {
                result.completeExceptionally(unwrap(error));
                return;
              }
              // Only a cancelled result has work to do here; its outcome is the caller's.
              CompletableFuture<IdempotentResponse<T>> unusedHook =
                  result.whenComplete(
                      (ignored, outcome) -> {
                        if (result.isCancelled()) {
                          call.cancelInFlight();
                        }
                      });
              attemptAsync(call, result);
            });
    return result;
  }

  /** POSTs {@code json} as {@code application/json} and reads the answer as a string. */
  public IdempotentResponse<String> postJson(URI uri, String json)
      throws IOException, InterruptedException {
    return postJson(uri, json, CallOptions.defaults());
  }

  /**
   * POSTs {@code json} as {@code application/json} with {@code options}; see {@link
   * #send(HttpRequest, BodyHandler, CallOptions)}.
   */
  public IdempotentResponse<String> postJson(URI uri, String json, CallOptions options)
      throws IOException, InterruptedException {
    Checks.notNull(uri, "uri");
    Checks.notNull(json, "json");
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(json))
            .build();
    return send(request, BodyHandlers.ofString(), options);
  }

  public HttpClient httpClient() {
    return httpClient;
  }

  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /** The methods that get a key without being asked. */
  public Set<String> methods() {
    return methods;
  }

  public Optional<KeyJournal> journal() {
    return Optional.ofNullable(journal);
  }

  @Override
  public String toString() {
    return "IdempotentHttpClient[methods="
        + methods
        + ", retryPolicy="
        + retryPolicy
        + ", journal="
        + (journal != null ? journal : "none")
        + "]";
  }

  // ---- one logical call ------------------------------------------------------------------

  /** What the call asks for, checked before anything is written or sent. */
  private static final class Plan<T> {
    final HttpRequest request;
    final BodyHandler<T> handler;
    final IdempotencyKey explicitKey;
    final boolean keyInHeader;
    final String operationId;
    final Fingerprint fingerprint;
    final boolean needsKey;

    Plan(
        HttpRequest request,
        BodyHandler<T> handler,
        IdempotencyKey explicitKey,
        boolean keyInHeader,
        String operationId,
        Fingerprint fingerprint,
        boolean needsKey) {
      this.request = request;
      this.handler = handler;
      this.explicitKey = explicitKey;
      this.keyInHeader = keyInHeader;
      this.operationId = operationId;
      this.fingerprint = fingerprint;
      this.needsKey = needsKey;
    }
  }

  private <T> Plan<T> plan(HttpRequest request, BodyHandler<T> handler, CallOptions options) {
    Checks.notNull(request, "request");
    Checks.notNull(handler, "handler");
    Checks.notNull(options, "options");
    IdempotencyKey explicitKey = options.key().orElse(null);
    List<String> headerKeys = request.headers().allValues(IDEMPOTENCY_KEY);
    if (headerKeys.size() > 1) {
      throw new IllegalArgumentException(
          "request carries "
              + headerKeys.size()
              + " "
              + IDEMPOTENCY_KEY
              + " headers; at most one is allowed");
    }
    boolean keyInHeader = headerKeys.size() == 1;
    if (keyInHeader) {
      IdempotencyKey fromHeader = IdempotencyKey.of(unquote(headerKeys.get(0)));
      if (explicitKey != null && !explicitKey.equals(fromHeader)) {
        throw new IllegalArgumentException(
            "request's "
                + IDEMPOTENCY_KEY
                + " header ("
                + fromHeader
                + ") differs from the key in the call options ("
                + explicitKey
                + ")");
      }
      explicitKey = fromHeader;
    }
    String operationId = options.operationId().orElse(null);
    if (operationId != null && journal == null) {
      throw new IllegalStateException(
          "CallOptions.operationId(\""
              + operationId
              + "\") needs a key journal: build the client with IdempotentHttpClient.builder().journal(...)");
    }
    boolean needsKey =
        explicitKey != null || operationId != null || methods.contains(request.method());
    return new Plan<>(
        request,
        handler,
        explicitKey,
        keyInHeader,
        operationId,
        options.fingerprint().orElse(null),
        needsKey);
  }

  /**
   * Chooses the key (recording it in the journal first, if asked) and starts the policy's clock.
   */
  private <T> LogicalCall<T> start(Plan<T> plan) {
    IdempotencyKey key = null;
    if (plan.needsKey) {
      key = plan.explicitKey != null ? plan.explicitKey : generateKey();
      if (plan.operationId != null) {
        Fingerprint fingerprint =
            plan.fingerprint != null ? plan.fingerprint : RequestFingerprint.of(plan.request);
        JournalEntry entry = journal.reserve(plan.operationId, key, fingerprint);
        if (plan.explicitKey != null && !entry.key().equals(plan.explicitKey)) {
          throw new JournalMismatchException(
              plan.operationId,
              "operation '"
                  + plan.operationId
                  + "' is recorded in the key journal with key "
                  + entry.key()
                  + " (since "
                  + entry.createdAt()
                  + "), but this call asks for key "
                  + plan.explicitKey
                  + "; drop the explicit key or use another operation id");
        }
        key = entry.key();
      }
    }
    HttpRequest request = plan.request;
    if (key != null && !plan.keyInHeader) {
      request =
          HttpRequest.newBuilder(
                  plan.request, (name, value) -> !name.equalsIgnoreCase(IDEMPOTENCY_KEY))
              .header(IDEMPOTENCY_KEY, key.value())
              .build();
    }
    boolean eligible = key != null || IDEMPOTENT_METHODS.contains(request.method());
    return new LogicalCall<>(request, plan.handler, key, eligible, retryPolicy.newCall());
  }

  private IdempotencyKey generateKey() {
    IdempotencyKey key = keyGenerator.get();
    if (key == null) {
      throw new IllegalStateException("the key generator returned null");
    }
    return key;
  }

  /** An RFC 8941 sf-string ({@code "abc"}) names the same key as the bare token. */
  private static String unquote(String value) {
    String trimmed = value.trim();
    if (trimmed.length() >= 2 && trimmed.startsWith("\"") && trimmed.endsWith("\"")) {
      return trimmed.substring(1, trimmed.length() - 1).replaceAll("\\\\([\"\\\\])", "$1");
    }
    return trimmed;
  }

  /** The state of one logical call: its request (key attached), retry state and verdicts. */
  private final class LogicalCall<T> {
    final HttpRequest request;
    final BodyHandler<T> handler;
    final BodyHandler<AttemptBody<T>> attemptHandler;
    final IdempotencyKey key;
    final boolean eligible;
    final RetryPolicy.Call retry;
    volatile CompletableFuture<?> inFlight;

    LogicalCall(
        HttpRequest request,
        BodyHandler<T> handler,
        IdempotencyKey key,
        boolean eligible,
        RetryPolicy.Call retry) {
      this.request = request;
      this.handler = handler;
      this.key = key;
      this.eligible = eligible;
      this.retry = retry;
      IntPredicate mayRetry =
          eligible
              ? status -> status == CONFLICT || RETRYABLE_STATUSES.contains(status)
              : status -> false;
      this.attemptHandler = AttemptBody.handler(handler, mayRetry);
    }

    boolean isRetryable(HttpResponse<AttemptBody<T>> response) {
      AttemptBody<T> body = response.body();
      if (!body.isBuffered()) {
        return false;
      }
      int status = response.statusCode();
      return status == CONFLICT
          ? InFlightConflict.isInFlight(body.buffered())
          : RETRYABLE_STATUSES.contains(status);
    }

    Duration serverDelay(HttpResponse<?> response) {
      return ServerDelay.from(response.headers(), retryPolicy.clock().instant()).orElse(null);
    }

    CompletionStage<IdempotentResponse<T>> finish(
        HttpResponse<AttemptBody<T>> response, RetryPolicy.GiveUpReason reason) {
      AttemptBody<T> body = response.body();
      CompletionStage<T> delivered =
          body.isBuffered()
              ? BufferedBody.deliver(handler, response, body.buffered())
              : CompletableFuture.completedFuture(body.delivered());
      int attempts = retry.attempts();
      return delivered.thenApply(
          value ->
              new IdempotentResponse<>(
                  new ResponseWithBody<>(response, value), attempts, key, reason));
    }

    RetriesExhaustedException exhausted(IOException failure, RetryPolicy.GiveUpReason reason) {
      return new RetriesExhaustedException(
          request.method() + " " + request.uri(), retry.attempts(), reason, key, failure);
    }

    void cancelInFlight() {
      CompletableFuture<?> attempt = inFlight;
      if (attempt != null) {
        attempt.cancel(true);
      }
    }
  }

  // ---- asynchronous attempts ---------------------------------------------------------------

  private <T> void attemptAsync(
      LogicalCall<T> call, CompletableFuture<IdempotentResponse<T>> result) {
    if (result.isDone()) {
      return;
    }
    try {
      CompletableFuture<HttpResponse<AttemptBody<T>>> attempt =
          httpClient.sendAsync(call.request, call.attemptHandler);
      call.inFlight = attempt;
      if (result.isCancelled()) {
        attempt.cancel(true);
      }
      // The callback hands every outcome, failures included, to result: nothing else to check.
      CompletableFuture<HttpResponse<AttemptBody<T>>> unused =
          attempt.whenComplete(
              (response, error) -> {
                try {
                  afterAttemptAsync(call, result, response, error);
                } catch (RuntimeException | Error e) {
                  result.completeExceptionally(e);
                }
              });
    } catch (RuntimeException | Error e) {
      result.completeExceptionally(e);
    }
  }

  private <T> void afterAttemptAsync(
      LogicalCall<T> call,
      CompletableFuture<IdempotentResponse<T>> result,
      HttpResponse<AttemptBody<T>> response,
      Throwable error) {
    if (result.isDone()) {
      return;
    }
    RetryPolicy.Decision decision;
    if (error != null) {
      Throwable failure = unwrap(error);
      if (!(failure instanceof IOException ioException) || !call.eligible) {
        result.completeExceptionally(failure);
        return;
      }
      decision = call.retry.onRetryableFailure(null);
      if (!decision.shouldRetry()) {
        result.completeExceptionally(call.exhausted(ioException, decision.reason()));
        return;
      }
    } else if (!call.isRetryable(response)) {
      completeWith(result, call.finish(response, null));
      return;
    } else {
      decision = call.retry.onRetryableFailure(call.serverDelay(response));
      if (!decision.shouldRetry()) {
        completeWith(result, call.finish(response, decision.reason()));
        return;
      }
    }
    CompletionStage<Void> delay;
    try {
      delay = asyncSleeper.sleep(decision.delay());
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return;
    }
    delay.whenComplete(
        (ignored, sleepError) -> {
          if (sleepError != null) {
            result.completeExceptionally(unwrap(sleepError));
          } else {
            attemptAsync(call, result);
          }
        });
  }

  private static <T> void completeWith(
      CompletableFuture<IdempotentResponse<T>> result,
      CompletionStage<IdempotentResponse<T>> stage) {
    stage.whenComplete(
        (value, error) -> {
          if (error != null) {
            result.completeExceptionally(unwrap(error));
          } else {
            result.complete(value);
          }
        });
  }

  private static Throwable unwrap(Throwable error) {
    Throwable current = error;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  /** Waits for a stage that, in the synchronous path, is almost always complete already. */
  private static <T> T await(CompletionStage<T> stage) throws IOException, InterruptedException {
    try {
      return stage.toCompletableFuture().get();
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof IOException ioException) {
        throw ioException;
      }
      if (cause instanceof RuntimeException runtimeException) {
        throw runtimeException;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IOException("reading the response body failed", cause);
    } catch (CancellationException e) {
      throw new IOException("reading the response body was cancelled", e);
    }
  }

  // ---- builder -------------------------------------------------------------------------------

  /**
   * Configures an {@link IdempotentHttpClient}; each setter rejects bad values at once. Not
   * thread-safe.
   */
  public static final class Builder {
    private HttpClient httpClient;
    private RetryPolicy retryPolicy;
    private Set<String> methods = DEFAULT_METHODS;
    private Supplier<IdempotencyKey> keyGenerator = IdempotentHttpClient::randomKey;
    private KeyJournal journal;
    private AsyncSleeper asyncSleeper = AsyncSleeper.SYSTEM;
    private Executor journalExecutor = ForkJoinPool.commonPool();

    private Builder() {}

    /** The client that sends each attempt. Default: a new one with a 10 s connect timeout. */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = Checks.notNull(httpClient, "httpClient");
      return this;
    }

    /**
     * When and how long to retry; its {@link dev.idempo.Sleeper} and clock serve {@link #send}, and
     * its {@link RetryBudget}, if any, is shared by every call. Default: {@link
     * RetryPolicy#defaults()} with a {@link RetryBudget#create()} for this client.
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Checks.notNull(retryPolicy, "retryPolicy");
      return this;
    }

    /**
     * The methods that get a key without being asked. Upper-case HTTP method tokens (methods are
     * case-sensitive: {@code "post"} is not POST); may be empty, so that only calls with a key or
     * operation id carry one. Default: POST and PATCH.
     *
     * @throws IllegalArgumentException naming the first method that is not an upper-case token
     */
    public Builder methods(Set<String> methods) {
      Checks.notNull(methods, "methods");
      Set<String> copy = new LinkedHashSet<>();
      for (String method : methods) {
        Checks.notNull(method, "method in methods");
        if (!UPPER_CASE_METHOD.matcher(method).matches()) {
          throw new IllegalArgumentException(
              "methods must hold upper-case HTTP method tokens such as POST, was '" + method + "'");
        }
        copy.add(method);
      }
      this.methods = Set.copyOf(copy);
      return this;
    }

    /**
     * Makes the key of each logical call that needs a new one; called once per call. Default:
     * {@link #randomKey()}.
     */
    public Builder keyGenerator(Supplier<IdempotencyKey> keyGenerator) {
      this.keyGenerator = Checks.notNull(keyGenerator, "keyGenerator");
      return this;
    }

    /**
     * Where calls with an operation id record their key before the first attempt. Default: none.
     */
    public Builder journal(KeyJournal journal) {
      this.journal = Checks.notNull(journal, "journal");
      return this;
    }

    /** How {@link #sendAsync} waits between attempts. Default: {@link AsyncSleeper#SYSTEM}. */
    public Builder asyncSleeper(AsyncSleeper asyncSleeper) {
      this.asyncSleeper = Checks.notNull(asyncSleeper, "asyncSleeper");
      return this;
    }

    /**
     * Where {@link #sendAsync} runs journal work (blocking file or database I/O) for calls with an
     * operation id. Default: {@link ForkJoinPool#commonPool()}.
     */
    public Builder journalExecutor(Executor journalExecutor) {
      this.journalExecutor = Checks.notNull(journalExecutor, "journalExecutor");
      return this;
    }

    public IdempotentHttpClient build() {
      return new IdempotentHttpClient(this);
    }
  }
}
