package dev.idempo.http;

/**
 * A built-in {@link TenantSource} whose tenant is the hash of a credential the request carries (the
 * {@code Authorization} header, a session cookie): whether there is a tenant is known from the
 * credential's presence, without hashing it. {@link HttpIdempotency#prepare} checks presence before
 * reading the body and hashes once the body is read, so an adapter that calls {@code prepare}
 * before it has the body and again after (the Netty gateway) hashes the credential once, not twice.
 * Thread-safe, like every source.
 */
interface HashedTenantSource extends TenantSource {
  /**
   * True when {@link #tenant} answers a tenant (not {@code ""}) for {@code request}: exactly then,
   * so checking presence refuses the same requests as checking the tenant.
   */
  boolean present(IncomingRequest request);
}
