/**
 * The Redis {@link dev.idempo.store.IdempotencyStore}: {@link
 * dev.idempo.redis.RedisIdempotencyStore}.
 *
 * <h2>Server configuration: {@code maxmemory-policy noeviction} is required</h2>
 *
 * Records carry a TTL, so every policy except {@code noeviction} may evict them under memory
 * pressure (the {@code volatile-*} policies pick exactly such keys). An evicted IN_PROGRESS record
 * lets a duplicate run while the first is still running; an evicted COMPLETED record makes a retry
 * run the operation again instead of replaying. With {@code noeviction} a full Redis refuses writes
 * instead, which the store reports as {@link dev.idempo.store.StoreUnavailableException}: loud, and
 * safe. The store reads the policy with {@code CONFIG GET maxmemory-policy} when it is built and
 * logs a warning (through {@link java.lang.System.Logger}, logger name {@code
 * dev.idempo.redis.RedisIdempotencyStore}) unless it is {@code noeviction}; managed services that
 * refuse {@code CONFIG} get a warning saying the policy could not be checked, and must set it in
 * the provider's configuration (several default to {@code volatile-lru}). Persistence (AOF with
 * {@code appendfsync everysec} or stricter) decides what a restart of a lone server loses, in the
 * same way as a failover below.
 *
 * <h2>What a failover can lose</h2>
 *
 * Redis replicates asynchronously: the primary acknowledges a script before any replica has it. If
 * the primary dies in that window and a replica is promoted, the promoted server never saw the
 * write:
 *
 * <ul>
 *   <li>a lost <b>claim</b>: the first caller is running the operation, and a retry claims the key
 *       afresh on the new primary and runs it a second time;
 *   <li>a lost <b>completion</b>: the record is back to IN_PROGRESS (or absent, if the claim was
 *       lost too); after the lease, a retry takes it over and, depending on the executor's takeover
 *       policy, records "outcome unknown" or runs the operation again;
 *   <li>a lost <b>release, renew or checkpoint</b>: a retry waits for the lease, or resumes from an
 *       older recovery point.
 * </ul>
 *
 * Fences stay safe across such a failover as long as the new primary's clock is not behind the old
 * one's by more than the time between two claims of a key (see {@link
 * dev.idempo.redis.RedisIdempotencyStore} on fences).
 *
 * <h2>Stronger mode: {@code WAIT}</h2>
 *
 * {@link dev.idempo.redis.RedisIdempotencyStore.Builder#waitForReplicas(int, java.time.Duration)}
 * runs {@code WAIT replicas timeout} after every claim that acquires and every complete that
 * applies. If fewer replicas acknowledge in time the call throws {@link
 * dev.idempo.store.StoreUnavailableException}: after a claim the caller must not run the work (the
 * store releases the claim, best effort); after a complete the response is on the primary only. It
 * costs one more round trip per write (a new request: four instead of two; a replay is unchanged at
 * one) and blocks the connection for the duration of {@code WAIT}. It narrows the window and does
 * not close it: {@code WAIT} does not make Redis strongly consistent (a replica that acknowledged
 * can still lose the write in a simultaneous crash, and a failover may promote a replica that did
 * not acknowledge). Where losing a claim is unacceptable, use the transactional JDBC store.
 *
 * <h2>Redis Cluster</h2>
 *
 * A record is one hash whose key carries the storage key as a hash tag ({@code
 * idempo:{<base64url>}}), and no script touches any other key (every {@code redis.call} names
 * {@code KEYS[1]}), so every script is single-slot. {@link
 * dev.idempo.redis.RedisIdempotencyStore#builder(io.lettuce.core.cluster.RedisClusterClient)}
 * builds the store on a cluster: Lettuce routes each script to the master owning the key's slot,
 * and the script reads that node's clock ({@code TIME}), so leases and fences of one key always
 * come from the one node that holds it (and, after a failover, from its promoted replica: the clock
 * caveat above applies). {@code maxmemory-policy} is checked on every master.
 *
 * <p><b>While a master is down.</b> Until its replica is promoted (the nodes' {@code
 * cluster-node-timeout}, then an election: about 2 to 3 s with a 1 s timeout in the tests) and the
 * client has refreshed its view of the topology (give the {@code RedisClusterClient} adaptive
 * topology refresh, as the gateway and the starter do), every call on that master's slots fails
 * with {@link dev.idempo.store.StoreUnavailableException}, which HTTP callers see as 503 {@code
 * store-unavailable}; with {@code cluster-require-full-coverage yes} (Redis' default) the other
 * slots also answer {@code CLUSTERDOWN} for the moments the cluster marks itself failed. No claim
 * is granted without being written, so this window alone never runs a duplicate.
 *
 * <p><b>What can be lost.</b> Exactly what the failover section above lists, per master: a claim or
 * a completion that the dead master acknowledged but had not yet streamed to its replica is not on
 * the promoted one. A lost claim lets a retry run the work again while the first run is still
 * going; a lost completion makes a retry wait for the lease, then take over.
 *
 * <p><b>{@code WAIT} on a cluster.</b> {@code WAIT} counts the replicas that acknowledged the
 * writes of the connection it runs on, so with {@code waitForReplicas} the store runs each script
 * and its {@code WAIT} on one connection to the master owning the key's slot (Lettuce's node
 * connection), not through Lettuce's routing. A script sent to a node that no longer owns the slot
 * answers {@code MOVED} and fails with {@code StoreUnavailableException} having written nothing.
 * The test {@code RedisClusterFailoverTest} SIGKILLs a master under load: with {@code WAIT 1},
 * every completion the store had acknowledged was still there after the failover; and a promoted
 * master has no replica of its own, so with {@code WAIT 1} new requests on its slots fail (503)
 * until a replica is back (the killed node restarted rejoins as one). Figures: {@code WAIT 1} kept
 * 0.25 to 0.66 of the new-request throughput on a loopback cluster (see {@code
 * docs/benchmarks.md}).
 */
package dev.idempo.redis;
