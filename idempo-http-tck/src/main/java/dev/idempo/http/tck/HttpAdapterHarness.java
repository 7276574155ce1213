package dev.idempo.http.tck;

import dev.idempo.store.tck.MutableClock;
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
 *       ones refused; response bodies up to {@link HttpContract#MAX_RESPONSE_BODY_BYTES} are
 *       stored, longer ones replaced by a {@code response-too-large} problem;
 *   <li>the routes beyond the first two ({@link Route#WAITING}, {@link Route#SMALL_STORE}, {@link
 *       Route#RAW_UPSTREAM}) exist only where the harness declares their {@link Capability};
 *   <li>everything else at its defaults: problem types under {@code urn:idempo:problem:}, no
 *       documentation base, the default stored headers and released statuses (408, 425, 429, 503),
 *       keys scoped by the {@code Authorization} header (so a keyed request without one is refused
 *       with {@code tenant-required}, unless the harness declares {@link
 *       Capability#SHARED_KEY_SPACE}).
 * </ul>
 *
 * <p>The suite starts one harness per test class and isolates its tests by key and by {@link
 * ContractApplication#CASE_HEADER}, so tests share the adapter and its store.
 */
// The contract closes it after the suite in an @AfterAll, never in a try-with-resources.
@SuppressWarnings("try")
public interface HttpAdapterHarness extends AutoCloseable {

  /** The two kinds of route the suite reaches. */
  enum Route {
    /** POST and PATCH guarded; a request without a key is refused. */
    KEY_REQUIRED,
    /** POST and PATCH guarded when they carry a key; without one they run unguarded. */
    KEY_OPTIONAL,
    /**
     * Like {@link #KEY_REQUIRED}, leased, and a duplicate of a running request waits for it (the
     * route's {@code waitForInFlight}, at least 30 s) and replays its answer; {@link
     * Capability#WAITING_ROUTE}.
     */
    WAITING,
    /**
     * Like {@link #KEY_REQUIRED}, on its own in-memory store that holds at most {@link
     * HttpContract#SMALL_STORE_RECORDS} records; {@link Capability#SMALL_STORE}.
     */
    SMALL_STORE,
    /**
     * Like {@link #KEY_REQUIRED}, in front of the application served by {@link
     * ContractUpstream#startRaw}, giving up on it after {@link HttpContract#UPSTREAM_TIMEOUT};
     * {@link Capability#RAW_UPSTREAM}.
     */
    RAW_UPSTREAM
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
    IN_FLIGHT_WAIT,
    /**
     * The store of {@link Route#KEY_REQUIRED} keeps leases by a clock the suite advances ({@link
     * #storeClock()}), so a claim's lease can run out while its handler still runs, as when its
     * holder died; the adapter takes over fail-closed (the default).
     */
    STORE_CLOCK,
    /** The harness serves {@link Route#WAITING}: a leased route with {@code waitForInFlight}. */
    WAITING_ROUTE,
    /** The harness serves {@link Route#SMALL_STORE}: an in-memory store of a few records. */
    SMALL_STORE,
    /**
     * The adapter is a proxy and the harness serves {@link Route#RAW_UPSTREAM}: the application
     * behind a raw-socket upstream that sends interim responses and headers of any size.
     */
    RAW_UPSTREAM,
    /**
     * The harness chose one shared key space (tenant source {@code none}): a keyed request with no
     * {@code Authorization} is guarded like any other instead of refused with {@code
     * tenant-required}.
     */
    SHARED_KEY_SPACE,
    /**
     * A handler that throws has its work rolled back with the key (transactional mode), so a retry
     * runs it again; without this capability a retry must never run it again.
     */
    ROLLS_BACK_FAILED_RUNS,
    /**
     * The adapter stores a response whole whatever its size (the starter's transactional mode keeps
     * it in the key's row), so a retry replays an answer over {@link
     * HttpContract#MAX_RESPONSE_BODY_BYTES} instead of getting {@code response-too-large}.
     */
    STORES_ANY_RESPONSE_SIZE
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

  /**
   * The clock the adapter's store keeps leases by, when it declares {@link Capability#STORE_CLOCK}.
   *
   * @throws UnsupportedOperationException if it does not
   */
  default MutableClock storeClock() {
    throw new UnsupportedOperationException(
        storeName() + " keeps its own clock; the harness does not declare STORE_CLOCK");
  }

  /** Stops the adapter and what the harness started. */
  @Override
  void close() throws Exception;
}
