package dev.idempo;

import dev.idempo.internal.Checks;
import dev.idempo.internal.StoredOutcome;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.ClaimToken;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs work at most once per (scope, key), in leased mode: claim the key, run the work while
 * renewing the lease, then store the outcome (complete) or give the key back (release), as the
 * {@link IdempotencyPolicy} says. Every retry with the same key and fingerprint gets the stored
 * outcome; a retry with another fingerprint gets {@link FingerprintMismatchException}.
 *
 * <pre>{@code
 * Idempotency<String> payments = Idempotency.builder(store, ResultCodec.utf8()).build();
 * ExecutionResult<String> result =
 *     payments.execute(scope, key, fingerprint, context -> chargeCard(order));
 * }</pre>
 *
 * <p><b>Work that never ran is never an unknown outcome.</b> Each claim carries a new {@link
 * ClaimToken}. When a claim fails with {@link StoreUnavailableException} its effect is unknown: it
 * may have created a record whose fence never reached us. The executor then abandons that claim by
 * its token in the background, and likewise retries a release that failed, until the store answers
 * (see {@link PendingReleases} for the backoff and the window), so that once the store recovers a
 * retry with the same key runs the work once instead of waiting out the lease and then reading
 * "outcome unknown". Still fail-closed: the process dies before the store recovers, or the store
 * stays unavailable for longer than the lease plus five minutes.
 *
 * <p><b>Background store calls.</b> Lease renewals and those pending releases are triggered by a
 * scheduler but run on a separate store-call executor (by default a shared pool of daemon threads
 * that grows with the calls in progress), at most one renewal per attempt at a time, so one key
 * whose store call stalls never delays the renewal of another key's lease.
 *
 * <p>Thread-safe: one instance serves any number of threads. It does not own the store.
 */
public final class Idempotency<R> {
  private final IdempotencyStore store;
  private final ResultCodec<R> codec;
  private final IdempotencyPolicy<R> policy;
  private final IdempotencyListener listener;
  private final InstantSource clock;
  private final Sleeper sleeper;
  private final ScheduledExecutorService renewals;
  private final Executor storeCalls;
  private final PendingReleases pendingReleases;

  private Idempotency(Builder<R> builder) {
    this.store = builder.store;
    this.codec = builder.codec;
    this.policy = builder.policy;
    this.listener = builder.listener;
    this.clock = builder.clock;
    this.sleeper = builder.sleeper;
    this.renewals = builder.renewals != null ? builder.renewals : SharedRenewals.INSTANCE;
    this.storeCalls = builder.storeCalls != null ? builder.storeCalls : SharedStoreCalls.INSTANCE;
    this.pendingReleases = new PendingReleases(renewals, storeCalls, clock);
  }

  /**
   * A builder for an executor on {@code store} whose results {@code codec} encodes.
   *
   * @throws NullPointerException if an argument is null
   */
  public static <R> Builder<R> builder(IdempotencyStore store, ResultCodec<R> codec) {
    return new Builder<>(Checks.notNull(store, "store"), Checks.notNull(codec, "codec"));
  }

  public IdempotencyPolicy<R> policy() {
    return policy;
  }

  /**
   * Runs {@code work} unless an earlier run with the same scope and key finished, in which case its
   * stored outcome is returned (or its stored failure thrown).
   *
   * @return the result, saying whether the work ran now or was replayed
   * @throws KeyInFlightException if another caller holds the key (after waiting up to the policy's
   *     {@code waitForInFlight})
   * @throws FingerprintMismatchException if the key was used with another fingerprint
   * @throws OutcomeUnknownException if an earlier holder stopped mid-way and the takeover policy
   *     fails closed
   * @throws StoredFailureException if an earlier run failed and its failure was stored
   * @throws FenceLostException if the work ran but its claim was taken over meanwhile, so its
   *     outcome was not stored
   * @throws WorkFailedException carrying a checked exception thrown by the work (unchecked ones are
   *     rethrown as they are)
   * @throws dev.idempo.store.StoreUnavailableException if the store cannot answer
   */
  public ExecutionResult<R> execute(
      Scope scope, IdempotencyKey key, Fingerprint fingerprint, IdempotentWork<R> work) {
    Checks.notNull(work, "work");
    try (Attempt<R> attempt = begin(scope, key, fingerprint)) {
      if (attempt.isReplay()) {
        return attempt.replayed();
      }
      R value;
      try {
        value = work.run(attempt.context());
      } catch (Throwable failure) {
        attempt.fail(failure);
        throw rethrowable(failure);
      }
      return attempt.complete(value);
    }
  }

  /**
   * Claims the key and answers an {@link Attempt}: either the replay of an earlier run, or the
   * right to run the work now, which the caller then finishes with {@link Attempt#complete}, {@link
   * Attempt#fail}, {@link Attempt#release} or {@link Attempt#recordOutcomeUnknown}. For callers
   * that cannot wrap the work in a callback (asynchronous servers, proxies); {@link #execute} is
   * this plus the callback. The lease is renewed until the attempt is finished or closed.
   *
   * @throws KeyInFlightException if another caller holds the key (after waiting up to the policy's
   *     {@code waitForInFlight})
   * @throws FingerprintMismatchException if the key was used with another fingerprint
   * @throws OutcomeUnknownException if an earlier holder stopped mid-way and the takeover policy
   *     fails closed, now or on an earlier retry
   * @throws StoredFailureException if an earlier run failed and its failure was stored
   * @throws dev.idempo.store.StoreUnavailableException if the store cannot answer
   */
  public Attempt<R> begin(Scope scope, IdempotencyKey key, Fingerprint fingerprint) {
    Checks.notNull(scope, "scope");
    Checks.notNull(key, "key");
    Checks.notNull(fingerprint, "fingerprint");
    StorageKey storageKey = scope.storageKey(key);
    long waitDeadline = clock.millis() + policy.waitForInFlight().toMillis();
    while (true) {
      ClaimResult claim = claim(storageKey, fingerprint);
      if (claim instanceof ClaimResult.Acquired acquired) {
        return acquired(scope, storageKey, acquired);
      }
      if (claim instanceof ClaimResult.Replay replay) {
        return Attempt.replay(replay(scope, replay.response()));
      }
      if (claim instanceof ClaimResult.Mismatch) {
        notify(scope, ExecutionOutcome.MISMATCH);
        throw new FingerprintMismatchException();
      }
      Duration retryAfter = ((ClaimResult.InFlight) claim).retryAfter();
      long remaining = waitDeadline - clock.millis();
      if (remaining <= 0) {
        notify(scope, ExecutionOutcome.IN_FLIGHT);
        throw new KeyInFlightException(retryAfter);
      }
      pause(Math.min(remaining, Math.min(retryAfter.toMillis(), 50)));
    }
  }

  private Attempt<R> acquired(Scope scope, StorageKey key, ClaimResult.Acquired claim) {
    boolean resumable = claim.recoveryPoint().isPresent();
    if (claim.takeover()
        && (policy.takeover() == TakeoverPolicy.FAIL_CLOSED
            || (policy.takeover() == TakeoverPolicy.RESUME && !resumable))) {
      if (!complete(key, claim.fence(), StoredOutcome.encodeOutcomeUnknown()).applied()) {
        notify(scope, ExecutionOutcome.FENCE_LOST);
        throw new FenceLostException(
            "another caller took this idempotency key over while its unknown outcome was recorded");
      }
      notify(scope, ExecutionOutcome.OUTCOME_UNKNOWN);
      throw new OutcomeUnknownException(false);
    }
    ExecutionContext context =
        new ExecutionContext(
            this,
            key,
            claim.fence(),
            claim.takeover(),
            policy.takeover() == TakeoverPolicy.RESUME
                ? claim.recoveryPoint()
                : java.util.Optional.empty());
    return Attempt.acquired(this, scope, context, scheduleRenewal(context));
  }

  /** Stores or releases {@code value} per the policy; for {@link Attempt#complete}. */
  ExecutionResult<R> finish(Scope scope, ExecutionContext context, R value) {
    if (policy.releases(value)) {
      if (!releaseOrRetryLater(context).applied()) {
        notify(scope, ExecutionOutcome.FENCE_LOST);
        throw fenceLost();
      }
      notify(scope, ExecutionOutcome.RELEASED);
      return new ExecutionResult<>(value, ExecutionOutcome.RELEASED);
    }
    if (!complete(
            context.storageKey(), context.fence(), StoredOutcome.encodeValue(codec.encode(value)))
        .applied()) {
      notify(scope, ExecutionOutcome.FENCE_LOST);
      throw fenceLost();
    }
    notify(scope, ExecutionOutcome.EXECUTED);
    return new ExecutionResult<>(value, ExecutionOutcome.EXECUTED);
  }

  /**
   * Stores or releases {@code failure} per the policy; for {@link Attempt#fail}. Problems with the
   * store are added to {@code failure} as suppressed exceptions, never thrown instead of it.
   */
  void finish(Scope scope, ExecutionContext context, Throwable failure) {
    try {
      boolean release = policy.releases(failure);
      UpdateResult update =
          release
              ? releaseOrRetryLater(context)
              : complete(
                  context.storageKey(), context.fence(), StoredOutcome.encodeFailure(failure));
      if (!update.applied()) {
        notify(scope, ExecutionOutcome.FENCE_LOST);
        failure.addSuppressed(fenceLost());
      } else {
        notify(scope, release ? ExecutionOutcome.RELEASED : ExecutionOutcome.EXECUTED);
      }
    } catch (RuntimeException storeFailure) {
      // The key stays IN_PROGRESS; after its lease a retry takes over under the takeover policy.
      failure.addSuppressed(storeFailure);
    }
  }

  /** Releases the key, the work known not to have taken effect; for {@link Attempt#release}. */
  void releaseUnprocessed(Scope scope, ExecutionContext context) {
    if (!releaseOrRetryLater(context).applied()) {
      notify(scope, ExecutionOutcome.FENCE_LOST);
      throw fenceLost();
    }
    notify(scope, ExecutionOutcome.RELEASED);
  }

  /** Stores "outcome unknown" for every retry; for {@link Attempt#recordOutcomeUnknown}. */
  void recordOutcomeUnknown(Scope scope, ExecutionContext context) {
    if (!complete(context.storageKey(), context.fence(), StoredOutcome.encodeOutcomeUnknown())
        .applied()) {
      notify(scope, ExecutionOutcome.FENCE_LOST);
      throw fenceLost();
    }
    notify(scope, ExecutionOutcome.OUTCOME_UNKNOWN);
  }

  /** What {@link #execute} throws for a failure of the work. */
  private static RuntimeException rethrowable(Throwable failure) {
    if (failure instanceof RuntimeException runtimeException) {
      return runtimeException;
    }
    if (failure instanceof Error error) {
      throw error;
    }
    if (failure instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return new WorkFailedException(failure);
  }

  private ExecutionResult<R> replay(Scope scope, StoredResponse response) {
    StoredOutcome outcome = StoredOutcome.decode(response.toBytes());
    notify(scope, ExecutionOutcome.REPLAYED);
    return new ExecutionResult<>(codec.decode(outcome.valueOrThrow()), ExecutionOutcome.REPLAYED);
  }

  private static FenceLostException fenceLost() {
    return new FenceLostException(
        "the work ran, but another caller took this idempotency key over (the lease ran out), so"
            + " its outcome was not stored");
  }

  /**
   * Releases the claim of work that did not run; if the store cannot answer, keeps retrying in the
   * background (a retry must not find the key held, then taken over as an unknown outcome) and
   * throws.
   */
  private UpdateResult releaseOrRetryLater(ExecutionContext context) {
    StorageKey key = context.storageKey();
    long fence = context.fence();
    try {
      return release(key, fence);
    } catch (StoreUnavailableException e) {
      pendingReleases.release(key, fence, policy.lease(), () -> release(key, fence));
      throw e;
    }
  }

  private ScheduledFuture<?> scheduleRenewal(ExecutionContext context) {
    long interval = policy.renewInterval().toMillis();
    if (interval <= 0) {
      return null;
    }
    Renewal renewal = new Renewal(context);
    return renewals.scheduleWithFixedDelay(
        renewal::dispatch, interval, interval, TimeUnit.MILLISECONDS);
  }

  /**
   * The renewals of one attempt: the scheduler's tick only hands the blocking store call to the
   * store-call executor, and skips while the previous call of this attempt is still running.
   */
  private final class Renewal implements Runnable {
    private final ExecutionContext context;
    private final AtomicBoolean running = new AtomicBoolean();

    Renewal(ExecutionContext context) {
      this.context = context;
    }

    void dispatch() {
      if (!running.compareAndSet(false, true)) {
        return;
      }
      try {
        storeCalls.execute(this);
      } catch (RejectedExecutionException e) {
        running.set(false);
      }
    }

    @Override
    public void run() {
      try {
        renew(context);
      } finally {
        running.set(false);
      }
    }
  }

  private void renew(ExecutionContext context) {
    if (context.isFenceLost()) {
      return;
    }
    try {
      if (!timed(
              StoreCall.RENEW,
              () -> store.renew(context.storageKey(), context.fence(), policy.lease()))
          .applied()) {
        context.markFenceLost();
      }
    } catch (RuntimeException e) {
      // A store outage: the next tick tries again; the lease still runs meanwhile.
    }
  }

  private void pause(long millis) {
    try {
      sleeper.sleep(Duration.ofMillis(Math.max(1, millis)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IdempotencyException("interrupted while waiting for an in-flight duplicate", e);
    }
  }

  /**
   * Claims with a new token; if the answer is lost, abandons that claim in the background so the
   * key is not left held by work that never ran.
   */
  private ClaimResult claim(StorageKey key, Fingerprint fingerprint) {
    ClaimToken token = ClaimToken.random();
    try {
      return timed(
          StoreCall.CLAIM,
          () -> store.claim(key, fingerprint, policy.lease(), policy.retention(), token));
    } catch (StoreUnavailableException e) {
      pendingReleases.abandon(
          key,
          token,
          policy.lease(),
          () -> timed(StoreCall.ABANDON, () -> store.abandon(key, token)));
      throw e;
    }
  }

  private UpdateResult complete(StorageKey key, long fence, byte[] outcome) {
    StoredResponse response = StoredResponse.of(outcome);
    return timed(StoreCall.COMPLETE, () -> store.complete(key, fence, response));
  }

  private UpdateResult release(StorageKey key, long fence) {
    return timed(StoreCall.RELEASE, () -> store.release(key, fence));
  }

  UpdateResult checkpoint(StorageKey key, long fence, RecoveryPoint point) {
    return timed(StoreCall.CHECKPOINT, () -> store.checkpoint(key, fence, point));
  }

  IdempotencyStore store() {
    return store;
  }

  private <T> T timed(StoreCall call, java.util.function.Supplier<T> storeCall) {
    long start = System.nanoTime();
    try {
      T result = storeCall.get();
      observe(call, System.nanoTime() - start, null);
      return result;
    } catch (RuntimeException e) {
      observe(call, System.nanoTime() - start, e);
      throw e;
    }
  }

  private void observe(StoreCall call, long nanos, Throwable failure) {
    try {
      listener.onStoreCall(call, nanos, failure);
    } catch (RuntimeException ignored) {
      // A listener must never change the outcome.
    }
  }

  private void notify(Scope scope, ExecutionOutcome outcome) {
    try {
      listener.onOutcome(scope, outcome);
    } catch (RuntimeException ignored) {
      // A listener must never change the outcome.
    }
  }

  /** The default renewal thread: one daemon thread for the whole JVM, started on first use. */
  private static final class SharedRenewals {
    static final ScheduledExecutorService INSTANCE = create();

    private static ScheduledExecutorService create() {
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(
              1,
              runnable -> {
                Thread thread = new Thread(runnable, "idempo-lease-renewal");
                thread.setDaemon(true);
                return thread;
              });
      // Most work finishes long before its first renewal: drop cancelled renewals at once
      // instead of keeping every one queued until its time comes.
      executor.setRemoveOnCancelPolicy(true);
      return executor;
    }
  }

  /**
   * The default store-call executor: daemon threads created as calls need them and kept 30 s idle,
   * so a stalled call holds one thread and never queues the others behind it. Its size is bounded
   * by the attempts in progress (one renewal each) plus the pending releases.
   */
  private static final class SharedStoreCalls {
    static final Executor INSTANCE = create();

    private static Executor create() {
      return new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          30,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          runnable -> {
            Thread thread = new Thread(runnable, "idempo-store-call");
            thread.setDaemon(true);
            return thread;
          });
    }
  }

  /** Configures an {@link Idempotency}. Not thread-safe. */
  public static final class Builder<R> {
    private final IdempotencyStore store;
    private final ResultCodec<R> codec;
    private IdempotencyPolicy<R> policy = IdempotencyPolicy.defaults();
    private IdempotencyListener listener = IdempotencyListener.NONE;
    private InstantSource clock = InstantSource.system();
    private Sleeper sleeper = Sleeper.SYSTEM;
    private ScheduledExecutorService renewals;
    private Executor storeCalls;

    private Builder(IdempotencyStore store, ResultCodec<R> codec) {
      this.store = store;
      this.codec = codec;
    }

    public Builder<R> policy(IdempotencyPolicy<R> policy) {
      this.policy = Checks.notNull(policy, "policy");
      return this;
    }

    public Builder<R> listener(IdempotencyListener listener) {
      this.listener = Checks.notNull(listener, "listener");
      return this;
    }

    /** The clock for waiting on in-flight duplicates; leases follow the store's own clock. */
    public Builder<R> clock(InstantSource clock) {
      this.clock = Checks.notNull(clock, "clock");
      return this;
    }

    public Builder<R> sleeper(Sleeper sleeper) {
      this.sleeper = Checks.notNull(sleeper, "sleeper");
      return this;
    }

    /**
     * What schedules lease renewals and background releases; by default one shared daemon thread.
     * It only triggers them: the store calls run on the {@link #storeCallExecutor}. Not shut down
     * by Idempotency.
     */
    public Builder<R> renewalScheduler(ScheduledExecutorService renewals) {
      this.renewals = Checks.notNull(renewals, "renewals");
      return this;
    }

    /**
     * Where background store calls (lease renewals, releases retried after an outage) run; by
     * default a shared pool of daemon threads that grows with the calls in progress. Give it enough
     * threads that one stalled call does not hold up the others. Not shut down by Idempotency.
     */
    public Builder<R> storeCallExecutor(Executor storeCalls) {
      this.storeCalls = Checks.notNull(storeCalls, "storeCalls");
      return this;
    }

    public Idempotency<R> build() {
      return new Idempotency<>(this);
    }
  }
}
