package dev.idempo.http;

import dev.idempo.Attempt;
import dev.idempo.ExecutionContext;
import dev.idempo.ExecutionOutcome;
import dev.idempo.IdempotencyKey;
import dev.idempo.Scope;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The claim of one key for one request ({@link Decision.Proceed}): the adapter runs the handler (or
 * forwards upstream), then finishes the attempt exactly once, from any thread:
 *
 * <ul>
 *   <li>{@link #complete(CapturedResponse)} with the whole response: stored for replay (only the
 *       allow-listed headers), or released when its status is one the route releases;
 *   <li>{@link #completeTooLargeToStore(int)} when the response was delivered but its body was
 *       longer than {@link #maxResponseBodyBytes()} and not captured: a {@link
 *       ProblemType#RESPONSE_TOO_LARGE} problem is stored in its place, so a retry gets that
 *       problem, never a second run;
 *   <li>{@link #release()} when the handler is known not to have run (the upstream refused the
 *       connection): a retry may run it;
 *   <li>{@link #recordOutcomeUnknown()} when it cannot be known (an upstream timeout after the
 *       request was sent, a handler that threw, an asynchronous servlet): every retry gets {@link
 *       ProblemType#OUTCOME_UNKNOWN}.
 * </ul>
 *
 * <p>The first caller gets the handler's response as it is (every header, {@code Set-Cookie}
 * included); only the stored copy is filtered. Finish before sending the response's last byte where
 * possible, so a retry arriving at once replays instead of answering 409.
 *
 * <p>Until finished, the lease is renewed in the background. {@link #close()} stops renewing
 * without finishing (use try-with-resources so a crash never leaves a renewal running): the key
 * stays in progress until its lease runs out, then the route's takeover policy decides. A streaming
 * gateway may keep the attempt open while the response streams and finish it from the thread that
 * sees the end.
 *
 * <p>Thread-safe. A finishing method throws {@link IllegalStateException} if the attempt was
 * already finished or closed; {@link dev.idempo.FenceLostException} if the lease ran out and
 * another request took the key over (nothing was stored); {@link
 * dev.idempo.store.StoreUnavailableException} if the store could not answer (the key stays in
 * progress until its lease ends). The response has been produced either way: deliver it and log.
 */
public final class HttpAttempt implements AutoCloseable {
  /** How {@link #complete} or {@link #completeTooLargeToStore} finished. */
  public enum Completion {
    /** The response was stored; retries replay it. */
    STORED,
    /** The status is one the route releases; the key was released and a retry runs again. */
    RELEASED,
    /** The response was too large; a {@link ProblemType#RESPONSE_TOO_LARGE} problem was stored. */
    STORED_TOO_LARGE
  }

  /**
   * The most header bytes stored with a response, whatever the body limit: 64 KiB, more than any
   * server sends (Jetty's and Tomcat's limit is 8 KiB), within the stored form's field sizes.
   */
  public static final int MAX_STORED_HEADER_BYTES = 64 << 10;

  private final Attempt<CapturedResponse> attempt;
  private final IdempotencyRoute route;
  private final Scope scope;
  private final IdempotencyKey key;
  private final StoredHeaders storedHeaders;
  private final ProblemResponses problems;
  private final int maxResponseBodyBytes;
  private final boolean binds;

  HttpAttempt(
      Attempt<CapturedResponse> attempt,
      IdempotencyRoute route,
      Scope scope,
      IdempotencyKey key,
      StoredHeaders storedHeaders,
      ProblemResponses problems,
      int maxResponseBodyBytes,
      boolean binds) {
    this.attempt = attempt;
    this.route = route;
    this.scope = scope;
    this.key = key;
    this.storedHeaders = storedHeaders;
    this.problems = problems;
    this.maxResponseBodyBytes = maxResponseBodyBytes;
    this.binds = binds;
  }

  /** The route guarding this request. */
  public IdempotencyRoute route() {
    return route;
  }

  /** The key's scope: tenant and operation (method and route name). */
  public Scope scope() {
    return scope;
  }

  /** The client's key. */
  public IdempotencyKey key() {
    return key;
  }

  /**
   * The claim: its fence (which a downstream may use to refuse stale writers) and whether it took
   * over an earlier holder whose lease ran out.
   */
  public ExecutionContext context() {
    return attempt.context();
  }

  /** The longest response body stored; an adapter captures at most this many bytes. */
  public int maxResponseBodyBytes() {
    return maxResponseBodyBytes;
  }

  /**
   * True when a response with {@code status} will be released, not stored: an adapter need not
   * capture its body.
   */
  public boolean releases(int status) {
    return route.releases(status);
  }

  /**
   * Finishes with the handler's whole response: stores it (allow-listed headers only) for replay,
   * or releases the key if the route releases its status. A body longer than {@link
   * #maxResponseBodyBytes()}, or stored headers longer than {@link #MAX_STORED_HEADER_BYTES}, is
   * handled as {@link #completeTooLargeToStore(int)}: no size makes it throw.
   *
   * @throws NullPointerException if {@code response} is null (the attempt stays open)
   */
  public Completion complete(CapturedResponse response) {
    Objects.requireNonNull(response, "response must not be null");
    if (response.bodyLength() > maxResponseBodyBytes) {
      return completeTooLargeToStore(response.status());
    }
    CapturedResponse stored = bound(storedHeaders.retain(response));
    if (storedHeaderBytes(stored) > MAX_STORED_HEADER_BYTES) {
      // Bounded like the body, so the record's size is bounded and no size makes storing throw.
      return completeTooLargeToStore(response.status());
    }
    return attempt.complete(stored).outcome() == ExecutionOutcome.RELEASED
        ? Completion.RELEASED
        : Completion.STORED;
  }

  /**
   * Finishes after a response with {@code status} was delivered whose body was longer than {@link
   * #maxResponseBodyBytes()}: releases the key if the route releases {@code status}; otherwise
   * stores a {@link ProblemType#RESPONSE_TOO_LARGE} problem (500) in the response's place, replayed
   * to every retry.
   *
   * @throws IllegalArgumentException if {@code status} is not between 100 and 599 (the attempt
   *     stays open)
   */
  public Completion completeTooLargeToStore(int status) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be between 100 and 599, was " + status);
    }
    if (route.releases(status)) {
      attempt.release();
      return Completion.RELEASED;
    }
    CapturedResponse standIn =
        problems
            .render(
                ProblemType.RESPONSE_TOO_LARGE,
                "The response to the first request with this Idempotency-Key (status "
                    + status
                    + ") was larger than the "
                    + maxResponseBodyBytes
                    + " bytes this server stores for replay. The request ran once and is not run"
                    + " again.")
            .asStandIn();
    attempt.complete(bound(standIn));
    return Completion.STORED_TOO_LARGE;
  }

  /** The stored form's header bytes: per line, name and value (UTF-8) and their lengths. */
  static long storedHeaderBytes(CapturedResponse response) {
    long bytes = 0;
    for (Map.Entry<String, List<String>> header : response.headers().entrySet()) {
      for (String value : header.getValue()) {
        bytes += 6 + header.getKey().length() + CapturedResponseCodec.utf8Length(value);
      }
    }
    return bytes;
  }

  /**
   * {@code response} bound to the record this attempt stores, when stored responses are encrypted
   * (only an encrypting codec writes the binding, and only then is it checked on replay): the
   * storage key is a SHA-256 a plain store need not compute again.
   */
  private CapturedResponse bound(CapturedResponse response) {
    return binds ? response.boundTo(scope.storageKey(key).toBytes()) : response;
  }

  /** Finishes without effect: the handler is known not to have run, so a retry may run it. */
  public void release() {
    attempt.release();
  }

  /**
   * Finishes with an unknown outcome: the handler may or may not have taken effect, so every retry
   * gets {@link ProblemType#OUTCOME_UNKNOWN} instead of a second run.
   */
  public void recordOutcomeUnknown() {
    attempt.recordOutcomeUnknown();
  }

  /** True until the attempt is finished or closed. */
  public boolean isOpen() {
    return attempt.isOpen();
  }

  /** Stops renewing the lease without finishing; a no-op once finished. Idempotent. */
  @Override
  public void close() {
    attempt.close();
  }

  @Override
  public String toString() {
    return "HttpAttempt[" + scope + ", open=" + isOpen() + "]";
  }
}
