package dev.idempo;

import dev.idempo.internal.Checks;
import dev.idempo.internal.Sha256;
import dev.idempo.store.StorageKey;

/**
 * Who and what a client key belongs to: a tenant (the principal, or the empty string for a
 * single-tenant service) and an operation (an HTTP method and route, a consumer name). The same
 * client key in two scopes names two unrelated operations, so one caller's key can never replay
 * another caller's response.
 *
 * <p>Immutable and thread-safe.
 */
public final class Scope {
  /** The longest tenant or operation accepted, in characters. */
  public static final int MAX_PART_LENGTH = 1024;

  private final String tenant;
  private final String operation;

  private Scope(String tenant, String operation) {
    this.tenant = tenant;
    this.operation = operation;
  }

  /**
   * A scope for one tenant's operation.
   *
   * @param tenant the principal the key belongs to; may be empty (no tenant), at most {@value
   *     #MAX_PART_LENGTH} characters
   * @param operation what the key guards, e.g. {@code "POST /payments"}; 1 to {@value
   *     #MAX_PART_LENGTH} characters
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code operation} is empty or a part is too long
   */
  public static Scope of(String tenant, String operation) {
    Checks.notNull(tenant, "tenant");
    if (tenant.length() > MAX_PART_LENGTH) {
      throw new IllegalArgumentException(
          "tenant must be at most " + MAX_PART_LENGTH + " characters, was " + tenant.length());
    }
    Checks.notEmpty(operation, "operation", MAX_PART_LENGTH);
    return new Scope(tenant, operation);
  }

  /** A scope with no tenant: {@code Scope.of("", operation)}. */
  public static Scope operation(String operation) {
    return of("", operation);
  }

  public String tenant() {
    return tenant;
  }

  public String operation() {
    return operation;
  }

  /**
   * The storage key for a client key in this scope: SHA-256 over the length-prefixed tenant,
   * operation and key, the only key a store ever sees.
   */
  public StorageKey storageKey(IdempotencyKey key) {
    Checks.notNull(key, "key");
    return StorageKey.of(
        new Sha256("idempo.storage-key.v1")
            .part(tenant)
            .part(operation)
            .part(key.value())
            .finish());
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof Scope that)) {
      return false;
    }
    return tenant.equals(that.tenant) && operation.equals(that.operation);
  }

  @Override
  public int hashCode() {
    return 31 * tenant.hashCode() + operation.hashCode();
  }

  @Override
  public String toString() {
    return "Scope[tenant=" + tenant + ", operation=" + operation + "]";
  }
}
