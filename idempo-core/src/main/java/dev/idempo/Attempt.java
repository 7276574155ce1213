package dev.idempo;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One claim of a key, from {@link Idempotency#begin}: either the replay of an earlier run ({@link
 * #isReplay()}), or the right to run the work now. The holder runs the work, then finishes the
 * attempt exactly once:
 *
 * <ul>
 *   <li>{@link #complete(Object)} with the result (stored, or released if the policy says so);
 *   <li>{@link #fail(Throwable)} with a failure (stored, or released if the policy says so);
 *   <li>{@link #release()} when the work is known not to have taken effect (a refused connection),
 *       so a retry may run it;
 *   <li>{@link #recordOutcomeUnknown()} when it cannot know (a timeout after the request was sent),
 *       so every retry gets {@link OutcomeUnknownException} instead of a second run.
 * </ul>
 *
 * <p>Until then the lease is renewed. {@link #close()} stops renewing without finishing (the holder
 * gave up): the key stays IN_PROGRESS until its lease runs out, then the takeover policy decides.
 * Use try-with-resources so a crash in the caller's code never leaves a renewal running.
 *
 * <p>Thread-safe: the finishing methods may be called from another thread than {@link
 * Idempotency#begin}, for asynchronous work.
 */
public final class Attempt<R> implements AutoCloseable {
  private final Idempotency<R> executor;
  private final Scope scope;
  private final ExecutionContext context;
  private final ScheduledFuture<?> renewal;
  private final ExecutionResult<R> replay;
  private final AtomicBoolean open;

  private Attempt(
      Idempotency<R> executor,
      Scope scope,
      ExecutionContext context,
      ScheduledFuture<?> renewal,
      ExecutionResult<R> replay) {
    this.executor = executor;
    this.scope = scope;
    this.context = context;
    this.renewal = renewal;
    this.replay = replay;
    this.open = new AtomicBoolean(replay == null);
  }

  static <R> Attempt<R> replay(ExecutionResult<R> replay) {
    return new Attempt<>(null, null, null, null, replay);
  }

  static <R> Attempt<R> acquired(
      Idempotency<R> executor, Scope scope, ExecutionContext context, ScheduledFuture<?> renewal) {
    return new Attempt<>(executor, scope, context, renewal, null);
  }

  /** True when an earlier run finished: {@link #replayed()} holds its result; nothing to run. */
  public boolean isReplay() {
    return replay != null;
  }

  /**
   * The replayed result of an earlier run.
   *
   * @throws IllegalStateException if this attempt holds the key instead
   */
  public ExecutionResult<R> replayed() {
    if (replay == null) {
      throw new IllegalStateException("this attempt holds the key; it is not a replay");
    }
    return replay;
  }

  /**
   * The claim this attempt holds, for the work to use.
   *
   * @throws IllegalStateException if this attempt is a replay
   */
  public ExecutionContext context() {
    if (context == null) {
      throw new IllegalStateException("this attempt is a replay; it holds no claim");
    }
    return context;
  }

  /**
   * Finishes with the work's result: stores it for replay, or releases the key if the policy
   * releases such results.
   *
   * @throws FenceLostException if the claim was taken over meanwhile, so nothing was stored
   * @throws IllegalStateException if the attempt was already finished or is a replay
   * @throws dev.idempo.store.StoreUnavailableException if the store cannot answer
   */
  public ExecutionResult<R> complete(R value) {
    finishing();
    return executor.finish(scope, context, value);
  }

  /**
   * Finishes with a failure of the work: stores it (replays then throw {@link
   * StoredFailureException}) or releases the key, as the policy says. Never throws for a store
   * problem: it is added to {@code failure} as a suppressed exception.
   *
   * @throws IllegalStateException if the attempt was already finished or is a replay
   */
  public void fail(Throwable failure) {
    if (failure == null) {
      throw new NullPointerException("failure must not be null");
    }
    finishing();
    executor.finish(scope, context, failure);
  }

  /**
   * Finishes without effect: the work is known not to have happened, so the key is released and a
   * retry may run it.
   *
   * @throws FenceLostException if the claim was taken over meanwhile
   * @throws IllegalStateException if the attempt was already finished or is a replay
   * @throws dev.idempo.store.StoreUnavailableException if the store cannot answer; the release is
   *     then retried in the background until the store answers, so a retry runs the work instead of
   *     finding the key held
   */
  public void release() {
    finishing();
    executor.releaseUnprocessed(scope, context);
  }

  /**
   * Finishes with an unknown outcome: the work may or may not have taken effect, so every retry
   * gets {@link OutcomeUnknownException} rather than a second run.
   *
   * @throws FenceLostException if the claim was taken over meanwhile
   * @throws IllegalStateException if the attempt was already finished or is a replay
   * @throws dev.idempo.store.StoreUnavailableException if the store cannot answer
   */
  public void recordOutcomeUnknown() {
    finishing();
    executor.recordOutcomeUnknown(scope, context);
  }

  /** True until the attempt is finished or closed; false for a replay. */
  public boolean isOpen() {
    return open.get();
  }

  /**
   * Stops renewing the lease. An attempt not finished by then stays IN_PROGRESS in the store until
   * its lease runs out. Idempotent.
   */
  @Override
  public void close() {
    if (open.getAndSet(false)) {
      stopRenewal();
    }
  }

  private void finishing() {
    if (replay != null) {
      throw new IllegalStateException("this attempt is a replay; there is nothing to finish");
    }
    if (!open.getAndSet(false)) {
      throw new IllegalStateException("this attempt was already finished or closed");
    }
    stopRenewal();
  }

  private void stopRenewal() {
    if (renewal != null) {
      renewal.cancel(false);
    }
  }
}
