package dev.idempo.gateway;

import dev.idempo.http.CapturedResponse;
import dev.idempo.http.Decision;
import dev.idempo.http.HttpAttempt;
import dev.idempo.http.HttpIdempotency;
import dev.idempo.http.ProblemType;
import dev.idempo.store.StoreUnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's request handling. Each request runs on one thread, blocking, in this order:
 *
 * <ol>
 *   <li>A request the gateway cannot forward as the request it guards ({@link RequestAmbiguity}: a
 *       method its client would upper-case, a path an upstream may read as another) is refused with
 *       400 {@code request-ambiguous}; nothing is claimed or forwarded.
 *   <li>{@link HttpIdempotency#begin} decides: pass through (another method, or no key where none
 *       is required), answer at once (a replay or a problem), or proceed under a claim of the key.
 *       The body of a guarded request is read and fingerprinted before the claim.
 *   <li>The request is forwarded ({@link UpstreamClient}). If it could not be sent, the claim is
 *       released and the caller gets 502 {@code upstream-unavailable}: a retry forwards again. A
 *       request none of whose bytes were written before the upstream closed the connection is sent
 *       once more on another connection first: it cannot have taken effect. If it was sent and no
 *       answer came (timeout, lost connection), the outcome is unknown: recorded, so the caller and
 *       every retry get 502 {@code outcome-unknown} ({@link OnUnknownOutcome#FAIL}), or released so
 *       a retry forwards again ({@link OnUnknownOutcome#REEXECUTE}).
 *   <li>The upstream's response streams back to the caller while it is captured (up to the response
 *       limit). Under a claim one chunk is always held back, so the claim is finished (the response
 *       stored, or the too-large problem stored in its place, or the key released for a "not
 *       processed" status) before the caller receives the last byte: a retry sent the moment the
 *       first answer arrived replays it rather than meeting 409. Should the caller go away, the
 *       response is still read and stored for its retry. Interim (1xx) responses are never the
 *       answer; any failure while relaying still ends the claim (stored, released or recorded as
 *       unknown), with a log line saying which, never leaving the key in flight.
 * </ol>
 *
 * <p>Thread-safe.
 */
final class IdempotentProxyHandler extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(IdempotentProxyHandler.class);
  private static final int CHUNK_BYTES = 16 << 10;

  private final HttpIdempotency idempotency;
  private final UpstreamClient upstream;
  private final GatewayMetrics metrics;
  private final OnUnknownOutcome onUnknownOutcome;
  private final Duration upstreamTimeout;
  private final Set<String> webhookPaths;

  IdempotentProxyHandler(
      HttpIdempotency idempotency,
      UpstreamClient upstream,
      GatewayMetrics metrics,
      GatewayConfig config) {
    this.idempotency = idempotency;
    this.upstream = upstream;
    this.metrics = metrics;
    this.onUnknownOutcome = config.onUnknownOutcome();
    this.upstreamTimeout = config.upstreamTimeout();
    this.webhookPaths = Set.copyOf(config.webhookPaths());
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    metrics.requestStarted();
    Exchange exchange = new Exchange(request, response);
    try {
      exchange.serve();
      callback.succeeded();
    } catch (Throwable failure) {
      callback.failed(failure);
    } finally {
      metrics.requestEnded(exchange.outcome);
    }
    return true;
  }

  /** One request from the caller, with how it ended so far. */
  private final class Exchange {
    private final Request request;
    private final Response response;
    private RequestOutcome outcome = RequestOutcome.PROBLEM;

    Exchange(Request request, Response response) {
      this.request = request;
      this.response = response;
    }

    void serve() throws IOException {
      JettyIncomingRequest incoming = new JettyIncomingRequest(request);
      Optional<String> ambiguity =
          RequestAmbiguity.of(
              idempotency.routes(), webhookPaths, request.getMethod(), incoming.path());
      if (ambiguity.isPresent()) {
        // Forwarded, it could run as another request than the one guarded: nothing is sent.
        LOG.info("refused {} {}: {}", request.getMethod(), incoming.path(), ambiguity.get());
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        send(idempotency.problem(ProblemType.REQUEST_AMBIGUOUS, ambiguity.get()));
        return;
      }
      Decision decision = idempotency.begin(incoming);
      if (decision instanceof Decision.Respond respond) {
        outcome = outcomeOf(respond);
        if (incoming.bufferedBody() == null
            || respond.problem().equals(Optional.of(ProblemType.BODY_TOO_LARGE))) {
          // Answered before the whole body was read (a bad key, a body over the limit): the rest
          // of it is never read, so say this connection carries no other request, rather than
          // let the client reuse a connection the server is about to close.
          response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        send(respond.response());
      } else if (decision instanceof Decision.PassThrough) {
        outcome = RequestOutcome.PASSTHROUGH;
        forward(incoming.bufferedBody(), null);
      } else {
        try (HttpAttempt attempt = ((Decision.Proceed) decision).attempt()) {
          forward(incoming.bufferedBody(), attempt);
        }
      }
    }

    private void forward(byte[] body, HttpAttempt attempt) throws IOException {
      // A request the caller's body is not streamed into can be sent again.
      boolean resendable =
          body != null
              || (request.getLength() <= 0
                  && !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING));
      UpstreamExchange exchange;
      org.eclipse.jetty.client.Response answer;
      for (int sends = 1; ; sends++) {
        try {
          exchange = upstream.send(request, body);
        } catch (RuntimeException e) {
          // Nothing was sent: give the key back so the claim does not outlive this failure.
          LOG.warn(
              "the request could not be sent upstream ({}); {}",
              StoreConnection.oneLine(e),
              attempt == null ? "not guarded" : "releasing the key");
          if (attempt != null) {
            release(attempt);
          }
          throw e;
        }
        try {
          answer = exchange.awaitResponse();
          break;
        } catch (UpstreamExchange.UpstreamFailure failure) {
          if (sends == 1 && resendable && failure.isConnectionClosedBeforeSending()) {
            // Not a byte of it was written, on a connection the upstream closed: it cannot have
            // taken effect, so it is sent once more, on another connection (Envoy's
            // reset-before-request retry; RFC 9110 9.2.2 allows it for any method).
            LOG.info(
                "upstream closed the connection before the request was sent ({}); sending it again",
                UpstreamExchange.UpstreamFailure.reason(failure.getCause()));
            continue;
          }
          answerFailure(failure, attempt);
          return;
        }
      }
      if (answer.getStatus() < 200) {
        // A final answer is 200 or more; 101 to a request that asked for no upgrade is not one.
        exchange.abort(new IOException("interim status " + answer.getStatus() + " as final"));
        LOG.warn(
            "upstream answered {} as its final response; {}",
            answer.getStatus(),
            attempt == null ? "answering 502" : settlement());
        if (attempt != null) {
          settleUnknown(attempt);
        }
        send(
            attempt != null
                ? unknownOutcomeProblem(
                    new UpstreamExchange.UpstreamFailure(
                        UpstreamExchange.FailureKind.CONNECTION_LOST,
                        new IOException("no final response")))
                : idempotency.problem(
                    ProblemType.UPSTREAM_UNAVAILABLE, "The upstream sent no final response."));
        return;
      }
      try {
        relay(exchange, answer, attempt);
      } catch (RuntimeException | Error e) {
        // Whatever broke, the claim ends here, deliberately, not when its lease runs out.
        exchange.abort(e);
        if (attempt != null && attempt.isOpen()) {
          LOG.warn(
              "relaying the upstream's {} answer failed ({}); {}",
              answer.getStatus(),
              StoreConnection.oneLine(e),
              settlement());
          settleUnknown(attempt);
        } else {
          LOG.warn(
              "relaying the upstream's {} answer failed: {}",
              answer.getStatus(),
              StoreConnection.oneLine(e));
        }
        throw e;
      }
    }

    /** What {@link #settleUnknown} does, for log lines. */
    private String settlement() {
      return onUnknownOutcome == OnUnknownOutcome.REEXECUTE
          ? "releasing the key (--on-unknown reexecute)"
          : "recording the outcome as unknown";
    }

    /** Streams the upstream's answer to the caller while capturing it, then finishes the claim. */
    private void relay(
        UpstreamExchange exchange, org.eclipse.jetty.client.Response answer, HttpAttempt attempt)
        throws IOException {
      int status = answer.getStatus();
      HttpFields upstreamHeaders = answer.getHeaders();
      HopByHopHeaders hopByHop = HopByHopHeaders.of(upstreamHeaders);
      response.setStatus(status);
      HttpFields.Mutable headers = response.getHeaders();
      boolean storable = status >= 200 && status <= 599;
      CapturedResponse.Builder captured =
          attempt != null && storable ? CapturedResponse.builder(status) : null;
      for (HttpField field : upstreamHeaders) {
        if (hopByHop.contains(field)) {
          continue;
        }
        headers.add(field);
        if (captured != null && field.getHeader() != HttpHeader.CONTENT_LENGTH) {
          try {
            captured.header(field.getName(), field.getValue());
          } catch (IllegalArgumentException e) {
            // Not a header the store could hold; the caller still gets it.
          }
        }
      }
      boolean capture = captured != null && !attempt.releases(status);
      int limit = attempt == null ? 0 : attempt.maxResponseBodyBytes();
      ByteArrayOutputStream body =
          capture ? new ByteArrayOutputStream(Math.min(limit, CHUNK_BYTES)) : null;
      boolean tooLarge = false;
      boolean callerGone = false;
      byte[] current = new byte[CHUNK_BYTES];
      byte[] held = new byte[CHUNK_BYTES];
      int heldLength = -1;
      InputStream in = exchange.body();
      try {
        int read;
        while ((read = in.read(current)) != -1) {
          if (read == 0) {
            continue;
          }
          if (body != null) {
            if (body.size() + read > limit) {
              tooLarge = true;
              body = null;
            } else {
              body.write(current, 0, read);
            }
          }
          if (attempt == null) {
            // Nothing to finish before the end: pass each chunk on at once (server-sent events).
            callerGone = callerGone || !write(false, current, read);
          } else {
            if (heldLength >= 0 && !callerGone) {
              callerGone = !write(false, held, heldLength);
            }
            byte[] swap = held;
            held = current;
            current = swap;
            heldLength = read;
          }
          if (callerGone && body == null) {
            // Nobody reads the rest and nothing of it would be stored.
            exchange.abort(new IOException("the caller went away"));
            break;
          }
        }
      } catch (IOException broken) {
        // The upstream broke off mid-response: its outcome is unknown.
        UpstreamExchange.UpstreamFailure failure = exchange.failure(broken);
        LOG.warn(
            "upstream broke off its {} answer ({}): {}",
            status,
            failure.kind(),
            UpstreamExchange.UpstreamFailure.reason(broken));
        if (attempt != null) {
          settleUnknown(attempt);
        }
        if (response.isCommitted() || callerGone) {
          throw broken; // the caller sees the response cut short
        }
        response.reset();
        send(
            attempt != null
                ? unknownOutcomeProblem(failure)
                : idempotency.problem(
                    ProblemType.UPSTREAM_UNAVAILABLE,
                    "The connection to the upstream was lost during its answer."));
        return;
      }
      if (attempt != null) {
        if (captured == null) {
          LOG.warn("upstream answered status {}, which cannot be stored; {}", status, settlement());
          settleUnknown(attempt);
        } else {
          outcome = finish(attempt, status, captured, body, tooLarge || (capture && body == null));
        }
        if (callerGone) {
          LOG.info(
              "the caller did not receive the whole {} answer (gone, or writing failed); {}",
              status,
              outcome == RequestOutcome.RELEASED
                  ? "the key was released"
                  : "its retry gets what was recorded");
        }
      }
      if (!callerGone) {
        write(true, held, Math.max(heldLength, 0));
      }
    }

    private RequestOutcome finish(
        HttpAttempt attempt,
        int status,
        CapturedResponse.Builder captured,
        ByteArrayOutputStream body,
        boolean tooLarge) {
      try {
        HttpAttempt.Completion completion =
            tooLarge
                ? attempt.completeTooLargeToStore(status)
                : attempt.complete(
                    body == null ? captured.build() : captured.body(body.toByteArray()).build());
        return completion == HttpAttempt.Completion.RELEASED
            ? RequestOutcome.RELEASED
            : RequestOutcome.EXECUTED;
      } catch (RuntimeException e) {
        // The upstream acted and the caller gets its answer; the claim still ends here.
        LOG.warn(
            "upstream answered {} for {} {}, but the response could not be stored ({}); {}",
            status,
            request.getMethod(),
            request.getHttpURI().getPath(),
            StoreConnection.oneLine(e),
            attempt.isOpen() ? settlement() : "the claim is finished");
        if (attempt.isOpen()) {
          settleUnknown(attempt);
        }
        return RequestOutcome.EXECUTED;
      }
    }

    private void answerFailure(UpstreamExchange.UpstreamFailure failure, HttpAttempt attempt)
        throws IOException {
      String reason = UpstreamExchange.UpstreamFailure.reason(failure.getCause());
      CapturedResponse problem =
          failure.problem(idempotency, upstreamTimeout, onUnknownOutcome, attempt != null);
      if (failure.kind() == UpstreamExchange.FailureKind.NOT_SENT) {
        LOG.warn("upstream unreachable, request not sent: {}", reason);
        if (attempt != null) {
          release(attempt);
        }
      } else {
        LOG.warn(
            "upstream gave no answer after the request was sent ({}): {}", failure.kind(), reason);
        if (attempt != null) {
          settleUnknown(attempt);
        }
      }
      send(problem);
    }

    /** What the caller gets when the upstream may or may not have acted on a guarded request. */
    private CapturedResponse unknownOutcomeProblem(UpstreamExchange.UpstreamFailure failure) {
      return onUnknownOutcome.problem(idempotency, failure, upstreamTimeout);
    }

    /** Records the unknown outcome, or releases the key, as the policy says. */
    private void settleUnknown(HttpAttempt attempt) {
      if (onUnknownOutcome == OnUnknownOutcome.REEXECUTE) {
        release(attempt);
        return;
      }
      outcome = RequestOutcome.OUTCOME_UNKNOWN;
      try {
        attempt.recordOutcomeUnknown();
      } catch (RuntimeException e) {
        LOG.warn(
            "could not record the unknown outcome; a retry finds the claim when its lease ends: {}",
            StoreConnection.oneLine(e));
      }
    }

    private void release(HttpAttempt attempt) {
      outcome = RequestOutcome.RELEASED;
      try {
        attempt.release();
      } catch (StoreUnavailableException e) {
        // The core keeps retrying this release in the background (Idempotency, PendingReleases).
        LOG.warn(
            "could not release the key now; it is released in the background as soon as the store"
                + " answers (tried for the lease plus 5 minutes), then a retry forwards again: {}",
            StoreConnection.oneLine(e));
      } catch (RuntimeException e) {
        LOG.warn("could not release the key: {}", StoreConnection.oneLine(e));
      }
    }

    /** Sends a whole response: a replay or a problem. */
    private void send(CapturedResponse answer) throws IOException {
      response.setStatus(answer.status());
      HttpFields.Mutable headers = response.getHeaders();
      answer
          .headers()
          .forEach(
              (name, values) -> {
                if (!name.equalsIgnoreCase("Content-Length")) {
                  values.forEach(value -> headers.add(name, value));
                }
              });
      headers.put(HttpHeader.CONTENT_LENGTH, answer.bodyLength());
      if (!write(true, answer.body(), answer.bodyLength())) {
        throw new IOException("the caller went away before the answer was sent");
      }
    }

    /**
     * Writes to the caller, blocking; false if that failed (the caller went away, or the response
     * could not be written), and the rest of the answer is then only captured.
     */
    private boolean write(boolean last, byte[] bytes, int length) {
      try (Blocker.Callback written = Blocker.callback()) {
        response.write(last, ByteBuffer.wrap(bytes, 0, length), written);
        written.block();
        return true;
      } catch (IOException | RuntimeException e) {
        LOG.debug("writing to the caller failed", e);
        return false;
      }
    }
  }

  private static RequestOutcome outcomeOf(Decision.Respond respond) {
    if (respond.isReplay()) {
      return RequestOutcome.REPLAYED;
    }
    return switch (respond.problem().get()) {
      case KEY_IN_FLIGHT -> RequestOutcome.IN_FLIGHT;
      case KEY_MISMATCH -> RequestOutcome.MISMATCH;
      case OUTCOME_UNKNOWN -> RequestOutcome.OUTCOME_UNKNOWN;
      default -> RequestOutcome.PROBLEM;
    };
  }
}
