/**
 * The Redis {@link dev.idempo.store.IdempotencyStore}: {@link dev.idempo.redis.RedisIdempotencyStore}.
 *
 * <h2>Server configuration: {@code maxmemory-policy noeviction} is required</h2>
 *
 * Records carry a TTL, so every policy except {@code noeviction} may evict them under memory
 * pressure (the {@code volatile-*} policies pick exactly such keys). An evicted IN_PROGRESS record
 * lets a duplicate run while the first is still running; an evicted COMPLETED record makes a
 * retry run the operation again instead of replaying. With {@code noeviction} a full Redis
 * refuses writes instead, which the store reports as {@link
 * dev.idempo.store.StoreUnavailableException}: loud, and safe. The store reads the policy with
 * {@code CONFIG GET maxmemory-policy} when it is built and logs a warning (through {@link
 * java.lang.System.Logger}, logger name {@code dev.idempo.redis.RedisIdempotencyStore}) unless it
 * is {@code noeviction}; managed services that refuse {@code CONFIG} get a warning saying the
 * policy could not be checked, and must set it in the provider's configuration (several default
 * to {@code volatile-lru}). Persistence (AOF with {@code appendfsync everysec} or stricter) decides
 * what a restart of a lone server loses, in the same way as a failover below.
 *
 * <h2>What a failover can lose</h2>
 *
 * Redis replicates asynchronously: the primary acknowledges a script before any replica has it.
 * If the primary dies in that window and a replica is promoted, the promoted server never saw
 * the write:
 *
 * <ul>
 *   <li>a lost <b>claim</b>: the first caller is running the operation, and a retry claims the
 *       key afresh on the new primary and runs it a second time;
 *   <li>a lost <b>completion</b>: the record is back to IN_PROGRESS (or absent, if the claim was
 *       lost too); after the lease, a retry takes it over and, depending on the executor's
 *       takeover policy, records "outcome unknown" or runs the operation again;
 *   <li>a lost <b>release, renew or checkpoint</b>: a retry waits for the lease, or resumes from
 *       an older recovery point.
 * </ul>
 *
 * Fences stay safe across such a failover as long as the new primary's clock is not behind the
 * old one's by more than the time between two claims of a key (see {@link
 * dev.idempo.redis.RedisIdempotencyStore} on fences).
 *
 * <h2>Stronger mode: {@code WAIT}</h2>
 *
 * {@link dev.idempo.redis.RedisIdempotencyStore.Builder#waitForReplicas(int, java.time.Duration)}
 * runs {@code WAIT replicas timeout} after every claim that acquires and every complete that
 * applies. If fewer replicas acknowledge in time the call throws {@link
 * dev.idempo.store.StoreUnavailableException}: after a claim the caller must not run the work
 * (the store releases the claim, best effort); after a complete the response is on the primary
 * only. It costs one more round trip per write (a new request: four instead of two; a replay is
 * unchanged at one) and blocks the connection for the duration of {@code WAIT}. It narrows the
 * window and does not close it: {@code WAIT} does not make Redis strongly consistent (a replica
 * that acknowledged can still lose the write in a simultaneous crash, and a failover may promote
 * a replica that did not acknowledge). Where losing a claim is unacceptable, use the
 * transactional JDBC store.
 *
 * <h2>Redis Cluster</h2>
 *
 * A record is one hash whose key carries the storage key as a hash tag ({@code
 * idempo:{<base64url>}}), and no script touches any other key, so every script is single-slot
 * and the key layout is ready for Redis Cluster. The builders take a standalone {@link
 * io.lettuce.core.RedisClient} (a primary, or a Sentinel URI) or its connection; a builder for
 * {@code RedisClusterClient} is not provided yet ({@code WAIT} would have to be routed to the
 * node owning the key's slot).
 */
package dev.idempo.redis;
