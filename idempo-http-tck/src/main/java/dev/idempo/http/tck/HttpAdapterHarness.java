package dev.idempo.http.tck;

import dev.idempo.store.tck.OutageStore;
import java.net.URI;
import java.util.Set;

/**
 * What the contract suite needs from one server adapter under test: the adapter, started in front
 * of a {@link ContractApplication}, and where to reach it.
 *
 * <p>The adapter must be configured as the suite expects:
 *
 * <ul>
 *   <li>every path under {@link #base}{@code (KEY_REQUIRED)} reaches the application, with POST and
 *       PATCH guarded and a key required; every path under {@link #base}{@code (KEY_OPTIONAL)}
 *       likewise, with the key optional; GET and HEAD reach it unguarded;
 *   <li>request bodies up to {@link HttpContract#MAX_REQUEST_BODY_BYTES} are fingerprinted, longer
 *       ones refused;
 *   <li>everything else at its defaults: problem types under {@code urn:idempo:problem:}, no
 *       documentation base, the default stored headers and released statuses (408, 425, 429, 503),
 *       keys scoped by the {@code Authorization} header.
 * </ul>
 *
 * <p>The suite starts one harness per test class and isolates its tests by key and by {@link
 * ContractApplication#CASE_HEADER}, so tests share the adapter and its store.
 */
public interface HttpAdapterHarness extends AutoCloseable {

  /** The two kinds of route the suite reaches. */
  enum Route {
    /** POST and PATCH guarded; a request without a key is refused. */
    KEY_REQUIRED,
    /** POST and PATCH guarded when they carry a key; without one they run unguarded. */
    KEY_OPTIONAL
  }

  /**
   * What an adapter can do beyond the rows every adapter passes. A row that needs a capability the
   * harness does not declare is reported as skipped, naming the capability.
   */
  enum Capability {
    /**
     * The adapter runs on an {@link OutageStore} the suite can count calls on and take down ({@link
     * #outageStore()}): GET and HEAD reach it zero times; while it is down a guarded request is
     * refused with 503 and not run.
     */
    STORE_OUTAGE,
    /**
     * A duplicate of a request still running is refused at once with 409 {@code key-in-flight} and
     * a {@code Retry-After} (leased mode without waiting).
     */
    IN_FLIGHT_CONFLICT,
    /**
     * A duplicate of a request still running waits for it and replays its response (transactional
     * mode, where the duplicate waits on the key's row lock; or a leased route that waits).
     */
    IN_FLIGHT_WAIT
  }

  /**
   * Starts the adapter in front of {@code application}; called once, before any other method.
   *
   * @throws Exception if the adapter cannot start
   */
  void start(ContractApplication application) throws Exception;

  /**
   * Where {@code route} is served: an absolute {@code http} URI with a path and no trailing slash,
   * e.g. {@code http://127.0.0.1:8080/required}; the suite appends {@code /things} and the like.
   */
  URI base(Route route);

  /** The store the adapter claims keys in, for messages, e.g. {@code "in-memory"}. */
  String storeName();

  /** What the adapter supports beyond the common rows. */
  Set<Capability> capabilities();

  /**
   * The store the adapter runs on, when it declares {@link Capability#STORE_OUTAGE}.
   *
   * @throws UnsupportedOperationException if it does not
   */
  default OutageStore outageStore() {
    throw new UnsupportedOperationException(
        storeName() + " is not an OutageStore; the harness does not declare STORE_OUTAGE");
  }

  /** Stops the adapter and what the harness started. */
  @Override
  void close() throws Exception;
}
