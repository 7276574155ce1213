package dev.idempo;

/**
 * The operation {@link Idempotency} guards: runs at most once per key, unless a policy says
 * otherwise.
 */
@FunctionalInterface
public interface IdempotentWork<R> {
  R run(ExecutionContext context) throws Exception;
}
