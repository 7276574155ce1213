package dev.idempo.gateway;

import dev.idempo.http.CapturedResponse;
import dev.idempo.http.HttpIdempotency;
import dev.idempo.http.ProblemType;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;

/**
 * One request sent upstream, read with blocking calls: {@link #awaitResponse()} for the status and
 * headers, then {@link #body()}. Remembers whether the request was sent (its headers written),
 * which decides what a failure means: a request never sent cannot have taken effect. One thread
 * uses it.
 */
final class UpstreamExchange {
  /** How a forwarded request failed. */
  enum FailureKind {
    /** Refused or unreachable before the request was sent: it did not take effect. */
    NOT_SENT,
    /** Sent, and the upstream stayed silent past the timeout: the outcome is unknown. */
    TIMED_OUT,
    /** Sent, and the connection broke before the whole answer came: the outcome is unknown. */
    CONNECTION_LOST
  }

  private final Request request;
  private final Duration timeout;
  private final AtomicBoolean sent = new AtomicBoolean();
  private final InputStreamResponseListener listener = new InputStreamResponseListener();

  private UpstreamExchange(Request request, Duration timeout) {
    this.request = request;
    this.timeout = timeout;
  }

  /** Sends {@code request}; the answer is awaited with {@link #awaitResponse()}. */
  static UpstreamExchange send(Request request, Duration timeout) {
    UpstreamExchange exchange = new UpstreamExchange(request, timeout);
    // Sent from the moment Jetty begins writing it: its commit callback can run after the
    // upstream already read the request, acted and closed the connection.
    request.onRequestBegin(begun -> exchange.sent.set(true));
    request.send(exchange.listener);
    return exchange;
  }

  /**
   * Waits for the upstream's status and headers.
   *
   * @throws UpstreamFailure if none came
   */
  Response awaitResponse() throws UpstreamFailure {
    // The request's idle timeout fires first; this wait only bounds a connect and queue stall.
    long waitMillis = timeout.toMillis() + 11_000;
    try {
      return listener.get(waitMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw failure(e.getCause() == null ? e : e.getCause());
    } catch (TimeoutException e) {
      var unused = request.abort(e); // whether this call was the one to abort is moot
      throw failure(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      var unused = request.abort(e); // whether this call was the one to abort is moot
      throw failure(e);
    }
  }

  /** The response body as it arrives; reading it throws IOException if the upstream breaks off. */
  InputStream body() {
    return listener.getInputStream();
  }

  /** Gives up on the response (the caller went away and nothing needs it). */
  void abort(Throwable cause) {
    var unused = request.abort(cause); // whether this call was the one to abort is moot
  }

  /** The failure {@code cause} means, given whether the request was sent by now. */
  UpstreamFailure failure(Throwable cause) {
    FailureKind kind;
    if (!sent.get()) {
      kind = FailureKind.NOT_SENT;
    } else if (isTimeout(cause)) {
      kind = FailureKind.TIMED_OUT;
    } else {
      kind = FailureKind.CONNECTION_LOST;
    }
    return new UpstreamFailure(kind, cause);
  }

  private static boolean isTimeout(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException || t instanceof java.net.SocketTimeoutException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /**
   * The upstream did not answer; {@link #kind()} says whether the request may have taken effect.
   */
  static final class UpstreamFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final FailureKind kind;

    UpstreamFailure(FailureKind kind, Throwable cause) {
      super(kind + ": " + reason(cause), cause);
      this.kind = kind;
    }

    FailureKind kind() {
      return kind;
    }

    /**
     * What the caller gets for this failure, on either engine: 502 {@code upstream-unavailable}
     * when the request was not sent (a retry forwards it); when it was sent, the timeout or the
     * lost connection for an unguarded request, else what {@code onUnknownOutcome} says.
     */
    CapturedResponse problem(
        HttpIdempotency idempotency,
        Duration upstreamTimeout,
        OnUnknownOutcome onUnknownOutcome,
        boolean guarded) {
      if (kind == FailureKind.NOT_SENT) {
        return idempotency.problem(
            ProblemType.UPSTREAM_UNAVAILABLE,
            "The upstream could not be reached, so the request was not sent. Retry later with the"
                + " same Idempotency-Key.");
      }
      if (guarded) {
        return onUnknownOutcome.problem(idempotency, this, upstreamTimeout);
      }
      return kind == FailureKind.TIMED_OUT
          ? idempotency.problem(
              ProblemType.UPSTREAM_TIMEOUT,
              "The upstream did not answer within " + DurationText.format(upstreamTimeout) + ".")
          : idempotency.problem(
              ProblemType.UPSTREAM_UNAVAILABLE,
              "The connection to the upstream was lost before it answered.");
    }

    /**
     * True when no byte of the request was written and the connection was closed under it (not
     * refused, not timed out): sending it again on another connection is safe for any method.
     */
    boolean isConnectionClosedBeforeSending() {
      if (kind != FailureKind.NOT_SENT || isTimeout(getCause())) {
        return false;
      }
      boolean closed = false;
      for (Throwable t = getCause(); t != null; t = t.getCause()) {
        if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException) {
          return false; // never connected: sending again waits for the same refusal
        }
        closed |= t instanceof java.io.IOException;
        if (t.getCause() == t) {
          break;
        }
      }
      return closed;
    }

    /**
     * The innermost cause's type and message, short: Jetty's messages can dump a whole connection.
     */
    static String reason(Throwable cause) {
      Throwable root = cause;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String message = root.getMessage() == null ? "" : root.getMessage().replaceAll("\\s+", " ");
      if (message.length() > 120 || message.contains("@")) {
        message = "";
      }
      return root.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }
  }
}
