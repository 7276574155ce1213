package dev.idempo.store;

import dev.idempo.Fingerprint;
import dev.idempo.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link IdempotencyStore} in this JVM's memory: for tests, single-instance services and as the
 * reference implementation of the contract. It is per process: two processes (two gateways) each
 * with a memory store do not see each other's records; share a Redis or SQL store instead.
 *
 * <p><b>Atomicity.</b> A record is one mutable object in a {@link ConcurrentHashMap}, and every
 * call decides and changes it under that object's monitor (a new key is inserted with {@code
 * putIfAbsent} and a record leaves with {@code remove(key, record)}, both under it), so calls on
 * one key are linearizable and calls on different keys do not contend. Fences come from one counter
 * for the whole store, drawn once the claim holds the key, so they grow across release and expiry.
 *
 * <p><b>Time.</b> Leases and expiry follow the injected {@link InstantSource} (the system clock by
 * default), at millisecond precision.
 *
 * <p><b>Bounds.</b> At most {@code maxRecords} records (default {@value #DEFAULT_MAX_RECORDS}), and
 * memory bounded by them whatever callers do: the expiry index (time buckets of 16 ms) holds each
 * record once, moved as its expiry changes. A record inside its retention is never dropped to make
 * room: when a claim of a new key finds the store full it deletes an expired record if there is
 * one, and otherwise throws {@link StoreCapacityExceededException} (nothing is claimed; adapters
 * answer "store unavailable, retry later"). Expiry needs no background thread: an expired record
 * behaves as absent at once, and each new claim deletes up to two expired records (those of past
 * buckets at once, those of the current bucket as the head of it expires; a full store and {@link
 * #purgeExpired} look through the current bucket too).
 *
 * <p>No per-tenant bound: the store sees only storage keys, hashes of tenant, operation and key, so
 * it cannot tell one tenant's records from another's.
 *
 * <p>Thread-safe. Records do not survive the JVM.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {
  /** The default bound on the number of records. */
  public static final int DEFAULT_MAX_RECORDS = 100_000;

  /** The largest {@link Builder#maxRecords} accepted. */
  public static final int MAX_RECORDS_LIMIT = 100_000_000;

  private static final int PURGE_PER_INSERT = 2;

  /** Shared: a mismatch carries nothing. */
  private static final ClaimResult.Mismatch MISMATCH = new ClaimResult.Mismatch();

  private final ConcurrentHashMap<StorageKey, Entry> records = new ConcurrentHashMap<>();
  private final ExpiryIndex byExpiry = new ExpiryIndex();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong fences = new AtomicLong();
  private final InstantSource clock;
  private final int maxRecords;

  private InMemoryIdempotencyStore(Builder builder) {
    this.clock = builder.clock;
    this.maxRecords = builder.maxRecords;
  }

  /** A store on the system clock holding at most {@value #DEFAULT_MAX_RECORDS} records. */
  public static InMemoryIdempotencyStore create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@inheritDoc}
   *
   * @throws StoreCapacityExceededException if the key is new, the store holds {@code maxRecords}
   *     records and none of them has expired
   */
  @Override
  public ClaimResult claim(
      StorageKey key,
      Fingerprint fingerprint,
      Duration lease,
      Duration retention,
      ClaimToken token) {
    StoreLimits.checkClaim(key, fingerprint, lease, retention, token);
    long leaseMillis = lease.toMillis();
    long retentionMillis = retention.toMillis();
    while (true) {
      long now = clock.millis();
      Entry current = records.get(key);
      if (current == null) {
        reserveSlot(now);
        long fence = insert(key, fingerprint, token, now, leaseMillis, retentionMillis);
        if (fence > 0) {
          purgeExpired(now, PURGE_PER_INSERT, false);
          return ClaimResult.Acquired.fresh(fence);
        }
        size.decrementAndGet();
        continue; // Another claim inserted the key first: decide against its record.
      }
      synchronized (current) {
        if (current.removed) {
          continue; // Deleted meanwhile: look again.
        }
        return decide(current, fingerprint, token, now, leaseMillis, retentionMillis);
      }
    }
  }

  /** Inserts a new record; its fence, or 0 if the key was taken meanwhile. */
  private long insert(
      StorageKey key,
      Fingerprint fingerprint,
      ClaimToken token,
      long now,
      long leaseMillis,
      long retentionMillis) {
    Entry entry = new Entry(key);
    synchronized (entry) {
      if (records.putIfAbsent(key, entry) != null) {
        return 0;
      }
      // Drawn only now that the key is held, so it exceeds the fence of every earlier record.
      acquire(entry, fingerprint, token, now, leaseMillis, retentionMillis, null);
      return entry.fence;
    }
  }

  /** The claim's decision on an existing record; holds its monitor. */
  private ClaimResult decide(
      Entry current,
      Fingerprint fingerprint,
      ClaimToken token,
      long now,
      long leaseMillis,
      long retentionMillis) {
    if (current.expiresAt <= now) {
      acquire(current, fingerprint, token, now, leaseMillis, retentionMillis, null);
      return ClaimResult.Acquired.fresh(current.fence);
    }
    if (!current.fingerprint.equals(fingerprint)) {
      return MISMATCH;
    }
    if (current.state == RecordState.COMPLETED) {
      return new ClaimResult.Replay(current.response);
    }
    if (current.leaseExpiresAt > now) {
      return new ClaimResult.InFlight(Duration.ofMillis(current.leaseExpiresAt - now));
    }
    RecoveryPoint recoveryPoint = current.recoveryPoint;
    acquire(current, fingerprint, token, now, leaseMillis, retentionMillis, recoveryPoint);
    return new ClaimResult.Acquired(current.fence, true, Optional.ofNullable(recoveryPoint));
  }

  /** Makes {@code entry} a new IN_PROGRESS claim with a new fence, indexed; holds its monitor. */
  private void acquire(
      Entry entry,
      Fingerprint fingerprint,
      ClaimToken token,
      long now,
      long leaseMillis,
      long retentionMillis,
      RecoveryPoint recoveryPoint) {
    long leaseEnd = now + leaseMillis;
    entry.state = RecordState.IN_PROGRESS;
    entry.fingerprint = fingerprint;
    entry.fence = fences.incrementAndGet();
    entry.token = token;
    entry.leaseExpiresAt = leaseEnd;
    entry.retentionMillis = retentionMillis;
    entry.response = null;
    entry.recoveryPoint = recoveryPoint;
    long expiresAt = Math.max(leaseEnd, now + retentionMillis);
    if (entry.bucket == null) {
      byExpiry.add(entry, expiresAt);
    } else {
      byExpiry.move(entry, expiresAt);
    }
  }

  @Override
  public UpdateResult complete(StorageKey key, long fence, StoredResponse response) {
    StoreLimits.checkFenced(key, fence);
    Checks.notNull(response, "response");
    long now = clock.millis();
    Entry entry = records.get(key);
    if (entry == null) {
      return UpdateResult.FENCE_LOST;
    }
    synchronized (entry) {
      if (!entry.heldBy(fence, null, now)) {
        return UpdateResult.FENCE_LOST;
      }
      entry.state = RecordState.COMPLETED;
      entry.response = response;
      entry.recoveryPoint = null;
      byExpiry.move(entry, now + entry.retentionMillis);
      return UpdateResult.APPLIED;
    }
  }

  @Override
  public UpdateResult renew(StorageKey key, long fence, Duration lease) {
    StoreLimits.checkFenced(key, fence);
    StoreLimits.checkLease(lease);
    long now = clock.millis();
    Entry entry = records.get(key);
    if (entry == null) {
      return UpdateResult.FENCE_LOST;
    }
    synchronized (entry) {
      if (!entry.heldBy(fence, null, now)) {
        return UpdateResult.FENCE_LOST;
      }
      entry.leaseExpiresAt = now + lease.toMillis();
      if (entry.leaseExpiresAt > entry.expiresAt) {
        byExpiry.move(entry, entry.leaseExpiresAt);
      }
      return UpdateResult.APPLIED;
    }
  }

  @Override
  public UpdateResult checkpoint(StorageKey key, long fence, RecoveryPoint point) {
    StoreLimits.checkFenced(key, fence);
    Checks.notNull(point, "point");
    long now = clock.millis();
    Entry entry = records.get(key);
    if (entry == null) {
      return UpdateResult.FENCE_LOST;
    }
    synchronized (entry) {
      if (!entry.heldBy(fence, null, now)) {
        return UpdateResult.FENCE_LOST;
      }
      entry.recoveryPoint = point;
      return UpdateResult.APPLIED;
    }
  }

  @Override
  public UpdateResult release(StorageKey key, long fence) {
    StoreLimits.checkFenced(key, fence);
    return release(key, fence, null);
  }

  @Override
  public UpdateResult abandon(StorageKey key, ClaimToken token) {
    StoreLimits.checkAbandon(key, token);
    return release(key, 0, token);
  }

  private UpdateResult release(StorageKey key, long fence, ClaimToken token) {
    long now = clock.millis();
    Entry entry = records.get(key);
    if (entry == null) {
      return UpdateResult.FENCE_LOST;
    }
    synchronized (entry) {
      if (!entry.heldBy(fence, token, now)) {
        return UpdateResult.FENCE_LOST;
      }
      delete(entry);
      return UpdateResult.APPLIED;
    }
  }

  @Override
  public Optional<IdempotencyRecord> find(StorageKey key) {
    Checks.notNull(key, "key");
    while (true) {
      long now = clock.millis();
      Entry entry = records.get(key);
      if (entry == null) {
        return Optional.empty();
      }
      synchronized (entry) {
        if (entry.removed) {
          continue;
        }
        if (entry.expiresAt <= now) {
          return Optional.empty();
        }
        return Optional.of(entry.toRecord());
      }
    }
  }

  @Override
  public int purgeExpired(int limit) {
    StoreLimits.checkPurgeLimit(limit);
    return purgeExpired(clock.millis(), limit, true);
  }

  /** The number of records held, counting expired ones not yet deleted. */
  public int size() {
    return size.get();
  }

  /** The bound on the number of records. */
  public int maxRecords() {
    return maxRecords;
  }

  /** How many records the expiry index holds (O(buckets)): for tests of the memory bound. */
  int indexedVersions() {
    return byExpiry.size();
  }

  /** How many buckets the expiry index holds: for tests of the memory bound. */
  int expiryBuckets() {
    return byExpiry.buckets();
  }

  /** Takes a slot for a new record, deleting an expired one if the store is full. */
  private void reserveSlot(long now) {
    if (size.incrementAndGet() <= maxRecords) {
      return;
    }
    if (purgeExpired(now, 1, true) > 0) {
      return;
    }
    size.decrementAndGet();
    throw new StoreCapacityExceededException(
        "in-memory idempotency store is full: "
            + maxRecords
            + " records are within their retention and none may be dropped; raise maxRecords"
            + " (--store memory:<records>) or use a Redis or SQL store");
  }

  /**
   * Deletes up to {@code limit} expired records, soonest bucket first; {@code thorough} looks
   * through the whole current bucket, otherwise only at its head.
   */
  private int purgeExpired(long now, int limit, boolean thorough) {
    int purged = 0;
    while (purged < limit) {
      Entry expired = byExpiry.expired(now, thorough);
      if (expired == null) {
        break;
      }
      synchronized (expired) {
        // Re-claimed or deleted since the index named it: then the index no longer does.
        if (!expired.removed && expired.expiresAt <= now) {
          delete(expired);
          purged++;
        }
      }
    }
    return purged;
  }

  /** Deletes a record from the map and the index; holds its monitor. */
  private void delete(Entry entry) {
    entry.removed = true;
    records.remove(entry.key, entry);
    byExpiry.remove(entry);
    size.decrementAndGet();
  }

  /**
   * One record, changed in place. Every field is guarded by the entry's own monitor; {@code
   * expiresAt}, {@code bucket} and {@code slot} are also written under the monitor of the bucket
   * that indexes it (see {@link ExpiryIndex}), so a bucket scan reads them without this one.
   */
  static final class Entry {
    final StorageKey key;
    RecordState state;
    Fingerprint fingerprint;
    long fence;
    ClaimToken token;
    long leaseExpiresAt;
    long expiresAt;
    long retentionMillis;
    StoredResponse response;
    RecoveryPoint recoveryPoint;

    /** Out of the map: a caller that found it looks again. */
    boolean removed;

    /** Where the index holds it, or null before it is indexed and once it is deleted. */
    ExpiryIndex.Bucket bucket;

    int slot;

    Entry(StorageKey key) {
      this.key = key;
    }

    /** Whether the caller holds this live IN_PROGRESS record: by its fence, or by its token. */
    boolean heldBy(long fence, ClaimToken token, long now) {
      boolean holder = token != null ? token.equals(this.token) : this.fence == fence;
      return holder && !removed && state == RecordState.IN_PROGRESS && expiresAt > now;
    }

    IdempotencyRecord toRecord() {
      return new IdempotencyRecord(
          state,
          fingerprint,
          fence,
          Instant.ofEpochMilli(leaseExpiresAt),
          Instant.ofEpochMilli(expiresAt),
          Optional.ofNullable(response),
          Optional.ofNullable(recoveryPoint));
    }
  }

  /** Configures an {@link InMemoryIdempotencyStore}. Not thread-safe. */
  public static final class Builder {
    private InstantSource clock = InstantSource.system();
    private int maxRecords = DEFAULT_MAX_RECORDS;

    private Builder() {}

    /** The clock for leases and expiry; the system clock by default. */
    public Builder clock(InstantSource clock) {
      this.clock = Checks.notNull(clock, "clock");
      return this;
    }

    /**
     * The most records held at once, 1 to {@value #MAX_RECORDS_LIMIT}; {@value
     * #DEFAULT_MAX_RECORDS} by default. At this bound, claims of new keys are refused with {@link
     * StoreCapacityExceededException} until records expire.
     *
     * @throws IllegalArgumentException naming maxRecords if it is out of range
     */
    public Builder maxRecords(int maxRecords) {
      this.maxRecords = Checks.inRange(maxRecords, 1, MAX_RECORDS_LIMIT, "maxRecords");
      return this;
    }

    public InMemoryIdempotencyStore build() {
      return new InMemoryIdempotencyStore(this);
    }
  }
}
