package dev.idempo.client;

import dev.idempo.Fingerprint;
import dev.idempo.IdempotencyKey;
import java.util.Optional;

/**
 * Per-call settings for {@link IdempotentHttpClient#send(java.net.http.HttpRequest,
 * java.net.http.HttpResponse.BodyHandler, CallOptions)}: the key to use, and the operation id under
 * which a {@link KeyJournal} records it.
 *
 * <pre>{@code
 * client.send(request, BodyHandlers.ofString(), CallOptions.operationId("job-42"));
 * client.send(request, BodyHandlers.ofString(), CallOptions.derivedKey("checkout", cartId));
 * }</pre>
 *
 * <p>Defaults ({@link #defaults()}): no key (the client generates one per logical call), no
 * operation id, the fingerprint computed from the request. Immutable and thread-safe; each {@code
 * with…} method returns a new instance.
 */
public final class CallOptions {
  private static final CallOptions DEFAULTS = new CallOptions(null, null, null);

  private final IdempotencyKey key;
  private final String operationId;
  private final Fingerprint fingerprint;

  private CallOptions(IdempotencyKey key, String operationId, Fingerprint fingerprint) {
    this.key = key;
    this.operationId = operationId;
    this.fingerprint = fingerprint;
  }

  /** No key, no operation id: the client generates a key when the method needs one. */
  public static CallOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Sends {@code key} on every attempt, whatever the method.
   *
   * @throws NullPointerException if {@code key} is null
   */
  public static CallOptions key(IdempotencyKey key) {
    return DEFAULTS.withKey(key);
  }

  /**
   * Sends {@link IdempotencyKey#derive(String, String) IdempotencyKey.derive(namespace, id)}: the
   * same business id always gives the same key, even across processes, with no journal.
   *
   * @throws IllegalArgumentException if an argument is empty or longer than 4096 characters
   */
  public static CallOptions derivedKey(String namespace, String id) {
    return DEFAULTS.withKey(IdempotencyKey.derive(namespace, id));
  }

  /**
   * Records the call's key in the client's {@link KeyJournal} under {@code operationId} before the
   * first attempt, and reuses the recorded key if the operation is already there (a restart).
   *
   * @throws IllegalArgumentException if {@code operationId} is empty, longer than 512 characters or
   *     holds control characters
   */
  public static CallOptions operationId(String operationId) {
    return DEFAULTS.withOperationId(operationId);
  }

  /** These options with {@code key}. @throws NullPointerException if {@code key} is null */
  public CallOptions withKey(IdempotencyKey key) {
    return new CallOptions(Checks.notNull(key, "key"), operationId, fingerprint);
  }

  /** These options with {@code operationId}; see {@link #operationId(String)}. */
  public CallOptions withOperationId(String operationId) {
    return new CallOptions(key, Checks.operationId(operationId), fingerprint);
  }

  /**
   * These options with the fingerprint the journal compares on a restart, instead of the one the
   * client computes from the request (method, URI, Content-Type and body bytes). Pass one when the
   * request's body is not repeatable or holds parts that change between runs (a timestamp).
   *
   * @throws NullPointerException if {@code fingerprint} is null
   */
  public CallOptions withFingerprint(Fingerprint fingerprint) {
    return new CallOptions(key, operationId, Checks.notNull(fingerprint, "fingerprint"));
  }

  public Optional<IdempotencyKey> key() {
    return Optional.ofNullable(key);
  }

  public Optional<String> operationId() {
    return Optional.ofNullable(operationId);
  }

  public Optional<Fingerprint> fingerprint() {
    return Optional.ofNullable(fingerprint);
  }

  @Override
  public String toString() {
    return "CallOptions[key="
        + key
        + ", operationId="
        + operationId
        + ", fingerprint="
        + (fingerprint != null)
        + "]";
  }
}
