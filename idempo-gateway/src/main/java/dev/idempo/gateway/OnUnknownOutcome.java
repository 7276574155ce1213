package dev.idempo.gateway;

import dev.idempo.http.CapturedResponse;
import dev.idempo.http.HttpIdempotency;
import dev.idempo.http.ProblemType;
import java.time.Duration;

/**
 * What the gateway does when it cannot know whether the upstream acted on a request: the upstream
 * timed out or the connection was lost after the request was sent, or a gateway died while
 * forwarding it (a retry finds its claim's lease expired).
 */
public enum OnUnknownOutcome {
  /**
   * Record "outcome unknown": this caller and every retry get a 502 {@code outcome-unknown}
   * problem, and the request is never forwarded twice. The default.
   */
  FAIL,
  /**
   * Release the key so a retry forwards the request again, with the same {@code Idempotency-Key}:
   * only for upstreams that deduplicate on that key themselves.
   */
  REEXECUTE;

  /**
   * What the caller gets under this policy when the upstream may or may not have acted ({@code
   * failure} came after the request was sent): both engines answer with this.
   */
  CapturedResponse problem(
      HttpIdempotency idempotency,
      UpstreamExchange.UpstreamFailure failure,
      Duration upstreamTimeout) {
    boolean timedOut = failure.kind() == UpstreamExchange.FailureKind.TIMED_OUT;
    String what =
        timedOut
            ? "The upstream did not answer within "
                + DurationText.format(upstreamTimeout)
                + " after the request was sent"
            : "The connection to the upstream was lost after the request was sent";
    if (this == REEXECUTE) {
      String detail =
          what
              + ". Retry with the same Idempotency-Key: the upstream receives the same key and can"
              + " recognize the repeat.";
      return timedOut
          ? idempotency.problem(ProblemType.UPSTREAM_TIMEOUT, detail)
          : idempotency.problem(ProblemType.UPSTREAM_UNAVAILABLE, detail);
    }
    return idempotency.problem(
        ProblemType.OUTCOME_UNKNOWN,
        what
            + "; whether it took effect is unknown, so it is not forwarded again. Check the"
            + " resource's state before sending the operation with a new key.");
  }
}
