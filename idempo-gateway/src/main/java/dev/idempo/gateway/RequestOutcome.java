package dev.idempo.gateway;

import java.util.Locale;

/** How one proxied request ended; the {@code outcome} tag of the request counter. */
enum RequestOutcome {
  /** Forwarded under a claim; the upstream's response was stored for replay. */
  EXECUTED,
  /** Answered from the store (an earlier response, or a problem stored in its place). */
  REPLAYED,
  /** Refused with 409: the first request with the key was still running. */
  IN_FLIGHT,
  /** Refused with 422: the key was used before with another request. */
  MISMATCH,
  /**
   * Forwarded under a claim that was then released (refused upstream, a "not processed" status).
   */
  RELEASED,
  /** Answered 502 outcome-unknown: now (upstream timeout, lost connection) or from the store. */
  OUTCOME_UNKNOWN,
  /** Forwarded without touching the store (another method, or no key where none is required). */
  PASSTHROUGH,
  /** Refused with another problem: a missing or invalid key, a body too large, the store down. */
  PROBLEM;

  String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
