package dev.idempo.spring.autoconfigure;

import dev.idempo.ExecutionOutcome;
import dev.idempo.IdempotencyListener;
import dev.idempo.Scope;
import dev.idempo.StoreCall;
import java.util.List;

/**
 * Tells every {@link IdempotencyListener} bean, in order; one that throws does not stop the rest.
 */
final class CompositeIdempotencyListener implements IdempotencyListener {
  private final List<IdempotencyListener> listeners;

  CompositeIdempotencyListener(List<IdempotencyListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  @Override
  public void onOutcome(Scope scope, ExecutionOutcome outcome) {
    for (IdempotencyListener listener : listeners) {
      try {
        listener.onOutcome(scope, outcome);
      } catch (RuntimeException ignored) {
        // A listener must never change the outcome.
      }
    }
  }

  @Override
  public void onStoreCall(StoreCall call, long nanos, Throwable failure) {
    for (IdempotencyListener listener : listeners) {
      try {
        listener.onStoreCall(call, nanos, failure);
      } catch (RuntimeException ignored) {
        // A listener must never change the outcome.
      }
    }
  }

  @Override
  public String toString() {
    return "CompositeIdempotencyListener" + listeners;
  }
}
