package dev.idempo;

import dev.idempo.internal.Checks;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StorageKey;
import java.util.Optional;

/**
 * What guarded work knows about its claim: the fence, whether it took over an earlier holder, that
 * holder's last recovery point, and a way to save its own. One per execution; thread-safe.
 */
public final class ExecutionContext {
  private final Idempotency<?> executor;
  private final StorageKey key;
  private final long fence;
  private final boolean takeover;
  private final Optional<RecoveryPoint> recoveryPoint;
  private volatile boolean fenceLost;

  ExecutionContext(
      Idempotency<?> executor,
      StorageKey key,
      long fence,
      boolean takeover,
      Optional<RecoveryPoint> recoveryPoint) {
    this.executor = executor;
    this.key = key;
    this.fence = fence;
    this.takeover = takeover;
    this.recoveryPoint = recoveryPoint;
  }

  /** The fence of this claim; a downstream system may use it to refuse stale writers. */
  public long fence() {
    return fence;
  }

  /** The storage key this work holds; the executor's own business, not the work's. */
  StorageKey storageKey() {
    return key;
  }

  /** True when this run took over a key whose earlier holder stopped without finishing. */
  public boolean isTakeover() {
    return takeover;
  }

  /** On a takeover under {@link TakeoverPolicy#RESUME}: the last step the earlier holder saved. */
  public Optional<RecoveryPoint> recoveryPoint() {
    return recoveryPoint;
  }

  /**
   * True once a lease renewal found that another caller took the key over: this run's outcome will
   * not be stored, so long work may stop early.
   */
  public boolean isFenceLost() {
    return fenceLost;
  }

  /**
   * Saves the step just committed, so a takeover under {@link TakeoverPolicy#RESUME} resumes after
   * it.
   *
   * @param step the step's name, 1 to 255 characters
   * @param state what the next step needs, at most 64 KiB
   * @throws FenceLostException if another caller took the key over
   * @throws dev.idempo.store.StoreUnavailableException if the store cannot answer
   */
  public void checkpoint(String step, byte[] state) {
    Checks.notNull(step, "step");
    RecoveryPoint point = RecoveryPoint.of(step, state);
    if (!executor.checkpoint(key, fence, point).applied()) {
      fenceLost = true;
      throw new FenceLostException(
          "checkpoint '" + step + "' not saved: another caller took this idempotency key over");
    }
  }

  void markFenceLost() {
    fenceLost = true;
  }

  IdempotencyStore store() {
    return executor.store();
  }
}
