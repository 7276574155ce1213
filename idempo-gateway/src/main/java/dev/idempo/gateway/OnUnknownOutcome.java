package dev.idempo.gateway;

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
  REEXECUTE
}
