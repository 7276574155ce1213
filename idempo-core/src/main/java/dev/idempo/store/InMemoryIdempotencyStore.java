package dev.idempo.store;

import dev.idempo.Fingerprint;
import dev.idempo.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * An {@link IdempotencyStore} in this JVM's memory: for tests, single-instance services and as the
 * reference implementation of the contract. It is per process: two processes (two gateways) each
 * with a memory store do not see each other's records; share a Redis or SQL store instead.
 *
 * <p><b>Atomicity.</b> Each call is one {@link ConcurrentHashMap#compute} on the record's key, so
 * calls on one key are linearizable and calls on different keys do not contend. Fences come from
 * one counter for the whole store, so they grow across release and expiry.
 *
 * <p><b>Time.</b> Leases and expiry follow the injected {@link InstantSource} (the system clock by
 * default), at millisecond precision.
 *
 * <p><b>Bounds.</b> At most {@code maxRecords} records (default {@value #DEFAULT_MAX_RECORDS}), and
 * memory bounded by them whatever callers do: the expiry index holds exactly the current version of
 * each record, never versions a later one replaced. A record inside its retention is never dropped
 * to make room: when a claim of a new key finds the store full it deletes an expired record if
 * there is one, and otherwise throws {@link StoreCapacityExceededException} (nothing is claimed;
 * adapters answer "store unavailable, retry later"). Expiry needs no background thread: an expired
 * record behaves as absent at once, and each new claim deletes up to two expired records.
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

  private final ConcurrentHashMap<StorageKey, Entry> records = new ConcurrentHashMap<>();

  /**
   * The current version of every record, soonest expiry first. A version joins and leaves it inside
   * the {@code compute} on its key that creates or replaces it, so it never holds a version that is
   * no longer current (beyond the instant of that compute).
   */
  private final ConcurrentSkipListSet<Entry> byExpiry = new ConcurrentSkipListSet<>(new ByExpiry());

  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong fences = new AtomicLong();
  private final AtomicLong versions = new AtomicLong();
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
    Claim claim = new Claim(fingerprint, lease.toMillis(), retention.toMillis(), token);
    while (true) {
      claim.now = clock.millis();
      claim.slotReserved = records.get(key) == null && reserveSlot(claim.now);
      claim.result = null;
      claim.inserted = false;
      records.compute(key, claim);
      if (claim.slotReserved && !claim.inserted) {
        size.decrementAndGet();
      }
      if (claim.result != null) {
        if (claim.inserted) {
          purgeExpired(claim.now, PURGE_PER_INSERT);
        }
        return claim.result;
      }
      // The record vanished between get and compute and no slot was reserved: go again.
    }
  }

  @Override
  public UpdateResult complete(StorageKey key, long fence, StoredResponse response) {
    StoreLimits.checkFenced(key, fence);
    Checks.notNull(response, "response");
    return update(key, new FencedUpdate(fence, null, FencedUpdate.COMPLETE, response, null, 0));
  }

  @Override
  public UpdateResult renew(StorageKey key, long fence, Duration lease) {
    StoreLimits.checkFenced(key, fence);
    StoreLimits.checkLease(lease);
    return update(
        key, new FencedUpdate(fence, null, FencedUpdate.RENEW, null, null, lease.toMillis()));
  }

  @Override
  public UpdateResult checkpoint(StorageKey key, long fence, RecoveryPoint point) {
    StoreLimits.checkFenced(key, fence);
    Checks.notNull(point, "point");
    return update(key, new FencedUpdate(fence, null, FencedUpdate.CHECKPOINT, null, point, 0));
  }

  @Override
  public UpdateResult release(StorageKey key, long fence) {
    StoreLimits.checkFenced(key, fence);
    return update(key, new FencedUpdate(fence, null, FencedUpdate.RELEASE, null, null, 0));
  }

  @Override
  public UpdateResult abandon(StorageKey key, ClaimToken token) {
    StoreLimits.checkAbandon(key, token);
    return update(key, new FencedUpdate(0, token, FencedUpdate.RELEASE, null, null, 0));
  }

  @Override
  public Optional<IdempotencyRecord> find(StorageKey key) {
    Checks.notNull(key, "key");
    Entry entry = records.get(key);
    if (entry == null || entry.expiresAt <= clock.millis()) {
      return Optional.empty();
    }
    return Optional.of(entry.toRecord());
  }

  @Override
  public int purgeExpired(int limit) {
    StoreLimits.checkPurgeLimit(limit);
    return purgeExpired(clock.millis(), limit);
  }

  /** The number of records held, counting expired ones not yet deleted. */
  public int size() {
    return size.get();
  }

  /** The bound on the number of records. */
  public int maxRecords() {
    return maxRecords;
  }

  /** How many versions the expiry index holds (O(n)): for tests of the memory bound. */
  int indexedVersions() {
    return byExpiry.size();
  }

  private UpdateResult update(StorageKey key, FencedUpdate update) {
    update.now = clock.millis();
    records.computeIfPresent(key, update);
    if (update.result == null) {
      return UpdateResult.FENCE_LOST;
    }
    if (update.next == null) {
      size.decrementAndGet();
    }
    return UpdateResult.APPLIED;
  }

  /** Takes a slot for a new record, deleting an expired one if the store is full. */
  private boolean reserveSlot(long now) {
    if (size.incrementAndGet() <= maxRecords) {
      return true;
    }
    if (purgeExpired(now, 1) > 0) {
      return true;
    }
    size.decrementAndGet();
    throw new StoreCapacityExceededException(
        "in-memory idempotency store is full: "
            + maxRecords
            + " records are within their retention and none may be dropped; raise maxRecords"
            + " (--store memory:<records>) or use a Redis or SQL store");
  }

  /** Deletes up to {@code limit} expired records, soonest expiry first. */
  private int purgeExpired(long now, int limit) {
    int purged = 0;
    while (purged < limit) {
      Entry head;
      try {
        head = byExpiry.first();
      } catch (java.util.NoSuchElementException empty) {
        break;
      }
      if (head.expiresAt > now) {
        break;
      }
      if (removeIfCurrent(head)) {
        purged++;
      } else {
        // Replaced meanwhile: its replacer takes it out of the index; make sure, then go on.
        byExpiry.remove(head);
      }
    }
    return purged;
  }

  private boolean removeIfCurrent(Entry entry) {
    boolean[] removed = {false};
    records.computeIfPresent(
        entry.key,
        (key, current) -> {
          if (current != entry) {
            return current;
          }
          byExpiry.remove(current);
          removed[0] = true;
          return null;
        });
    if (removed[0]) {
      size.decrementAndGet();
    }
    return removed[0];
  }

  /** Makes {@code next} the current version in place of {@code previous}; inside a compute. */
  private Entry replace(Entry previous, Entry next) {
    if (previous != null) {
      byExpiry.remove(previous);
    }
    if (next != null) {
      byExpiry.add(next);
    }
    return next;
  }

  /** The decision of one claim, run inside {@code compute} on the key. */
  private final class Claim implements BiFunction<StorageKey, Entry, Entry> {
    final Fingerprint fingerprint;
    final long leaseMillis;
    final long retentionMillis;
    final ClaimToken token;
    long now;
    boolean slotReserved;
    boolean inserted;
    ClaimResult result;

    Claim(Fingerprint fingerprint, long leaseMillis, long retentionMillis, ClaimToken token) {
      this.fingerprint = fingerprint;
      this.leaseMillis = leaseMillis;
      this.retentionMillis = retentionMillis;
      this.token = token;
    }

    @Override
    public Entry apply(StorageKey key, Entry current) {
      if (current == null) {
        if (!slotReserved) {
          return null;
        }
        inserted = true;
        return acquire(key, null, false, null);
      }
      if (current.expiresAt <= now) {
        return acquire(key, current, false, null);
      }
      if (!current.fingerprint.equals(fingerprint)) {
        result = new ClaimResult.Mismatch();
        return current;
      }
      if (current.state == RecordState.COMPLETED) {
        result = new ClaimResult.Replay(current.response);
        return current;
      }
      if (current.leaseExpiresAt > now) {
        result = new ClaimResult.InFlight(Duration.ofMillis(current.leaseExpiresAt - now));
        return current;
      }
      return acquire(key, current, true, current.recoveryPoint);
    }

    private Entry acquire(
        StorageKey key, Entry previous, boolean takeover, RecoveryPoint recoveryPoint) {
      long fence = fences.incrementAndGet();
      long leaseEnd = now + leaseMillis;
      Entry entry =
          new Entry(
              versions.incrementAndGet(),
              key,
              RecordState.IN_PROGRESS,
              fingerprint,
              fence,
              token,
              leaseEnd,
              Math.max(leaseEnd, now + retentionMillis),
              retentionMillis,
              null,
              recoveryPoint);
      result =
          takeover
              ? new ClaimResult.Acquired(fence, true, Optional.ofNullable(recoveryPoint))
              : ClaimResult.Acquired.fresh(fence);
      return replace(previous, entry);
    }
  }

  /** One fenced update, run inside {@code computeIfPresent} on the key. */
  private final class FencedUpdate implements BiFunction<StorageKey, Entry, Entry> {
    static final int COMPLETE = 0;
    static final int RELEASE = 1;
    static final int RENEW = 2;
    static final int CHECKPOINT = 3;

    /** The fence the update names, or 0 when it names the claim's token instead. */
    final long fence;

    final ClaimToken token;
    final int operation;
    final StoredResponse response;
    final RecoveryPoint point;
    final long leaseMillis;
    long now;
    UpdateResult result;
    Entry next;

    FencedUpdate(
        long fence,
        ClaimToken token,
        int operation,
        StoredResponse response,
        RecoveryPoint point,
        long leaseMillis) {
      this.fence = fence;
      this.token = token;
      this.operation = operation;
      this.response = response;
      this.point = point;
      this.leaseMillis = leaseMillis;
    }

    @Override
    public Entry apply(StorageKey key, Entry current) {
      boolean holder = token != null ? token.equals(current.token) : current.fence == fence;
      if (!holder || current.state != RecordState.IN_PROGRESS || current.expiresAt <= now) {
        return current;
      }
      next =
          switch (operation) {
            case COMPLETE -> current.completed(versions.incrementAndGet(), response, now);
            case RENEW -> current.withLease(versions.incrementAndGet(), now + leaseMillis);
            case CHECKPOINT -> current.withRecoveryPoint(versions.incrementAndGet(), point);
            default -> null;
          };
      result = UpdateResult.APPLIED;
      return replace(current, next);
    }
  }

  /** Soonest expiry first; the version number tells equal expiries apart. */
  private static final class ByExpiry implements Comparator<Entry> {
    @Override
    public int compare(Entry a, Entry b) {
      int byTime = Long.compare(a.expiresAt, b.expiresAt);
      return byTime != 0 ? byTime : Long.compare(a.version, b.version);
    }
  }

  /** One version of a record; immutable. {@code version} orders equal expiries in the index. */
  private static final class Entry {
    final long version;
    final StorageKey key;
    final RecordState state;
    final Fingerprint fingerprint;
    final long fence;
    final ClaimToken token;
    final long leaseExpiresAt;
    final long expiresAt;
    final long retentionMillis;
    final StoredResponse response;
    final RecoveryPoint recoveryPoint;

    Entry(
        long version,
        StorageKey key,
        RecordState state,
        Fingerprint fingerprint,
        long fence,
        ClaimToken token,
        long leaseExpiresAt,
        long expiresAt,
        long retentionMillis,
        StoredResponse response,
        RecoveryPoint recoveryPoint) {
      this.version = version;
      this.key = key;
      this.state = state;
      this.fingerprint = fingerprint;
      this.fence = fence;
      this.token = token;
      this.leaseExpiresAt = leaseExpiresAt;
      this.expiresAt = expiresAt;
      this.retentionMillis = retentionMillis;
      this.response = response;
      this.recoveryPoint = recoveryPoint;
    }

    Entry completed(long nextVersion, StoredResponse stored, long now) {
      return new Entry(
          nextVersion,
          key,
          RecordState.COMPLETED,
          fingerprint,
          fence,
          token,
          leaseExpiresAt,
          now + retentionMillis,
          retentionMillis,
          stored,
          null);
    }

    Entry withLease(long nextVersion, long leaseEnd) {
      return new Entry(
          nextVersion,
          key,
          state,
          fingerprint,
          fence,
          token,
          leaseEnd,
          Math.max(expiresAt, leaseEnd),
          retentionMillis,
          response,
          recoveryPoint);
    }

    Entry withRecoveryPoint(long nextVersion, RecoveryPoint point) {
      return new Entry(
          nextVersion,
          key,
          state,
          fingerprint,
          fence,
          token,
          leaseExpiresAt,
          expiresAt,
          retentionMillis,
          response,
          point);
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
