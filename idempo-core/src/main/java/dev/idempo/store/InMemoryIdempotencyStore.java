package dev.idempo.store;

import dev.idempo.Fingerprint;
import dev.idempo.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * An {@link IdempotencyStore} in this JVM's memory: for tests, single-instance services and as
 * the reference implementation of the contract.
 *
 * <p><b>Atomicity.</b> Each call is one {@link ConcurrentHashMap#compute} on the record's key, so
 * calls on one key are linearizable and calls on different keys do not contend. Fences come from
 * one counter for the whole store, so they grow across release and expiry.
 *
 * <p><b>Time.</b> Leases and expiry follow the injected {@link InstantSource} (the system clock
 * by default), at millisecond precision.
 *
 * <p><b>Bounds.</b> At most {@code maxRecords} records (default {@value #DEFAULT_MAX_RECORDS}).
 * When a new claim finds the store full it first deletes expired records, then evicts the
 * COMPLETED record that expires soonest; it never evicts an IN_PROGRESS record, and when every
 * record is IN_PROGRESS the claim throws {@link StoreCapacityExceededException}. Expiry needs no
 * background thread: an expired record behaves as absent at once, and each new claim deletes up
 * to two expired records.
 *
 * <p>Thread-safe. Records do not survive the JVM.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {
  /** The default bound on the number of records. */
  public static final int DEFAULT_MAX_RECORDS = 100_000;

  private static final int PURGE_PER_INSERT = 2;

  private final ConcurrentHashMap<StorageKey, Entry> records = new ConcurrentHashMap<>();
  private final ConcurrentSkipListSet<Entry> inProgressByExpiry = new ConcurrentSkipListSet<>();
  private final ConcurrentSkipListSet<Entry> completedByExpiry = new ConcurrentSkipListSet<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong fences = new AtomicLong();
  private final AtomicLong sequence = new AtomicLong();
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

  @Override
  public ClaimResult claim(
      StorageKey key, Fingerprint fingerprint, Duration lease, Duration retention) {
    StoreLimits.checkClaim(key, fingerprint, lease, retention);
    Claim claim = new Claim(fingerprint, lease.toMillis(), retention.toMillis());
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
    return update(
        key,
        fence,
        (current, now) ->
            new Entry(
                current.key,
                RecordState.COMPLETED,
                current.fingerprint,
                fence,
                current.leaseExpiresAt,
                now + current.retentionMillis,
                current.retentionMillis,
                response,
                null,
                sequence.incrementAndGet()));
  }

  @Override
  public UpdateResult renew(StorageKey key, long fence, Duration lease) {
    StoreLimits.checkFenced(key, fence);
    StoreLimits.checkLease(lease);
    long leaseMillis = lease.toMillis();
    return update(
        key,
        fence,
        (current, now) ->
            current.withLease(now + leaseMillis, sequence.incrementAndGet()));
  }

  @Override
  public UpdateResult checkpoint(StorageKey key, long fence, RecoveryPoint point) {
    StoreLimits.checkFenced(key, fence);
    Checks.notNull(point, "point");
    return update(
        key, fence, (current, now) -> current.withRecoveryPoint(point, sequence.incrementAndGet()));
  }

  @Override
  public UpdateResult release(StorageKey key, long fence) {
    StoreLimits.checkFenced(key, fence);
    return update(key, fence, (current, now) -> null);
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

  private UpdateResult update(StorageKey key, long fence, Transition transition) {
    FencedUpdate update = new FencedUpdate(fence, clock.millis(), transition);
    records.computeIfPresent(key, update);
    if (update.result == null) {
      return UpdateResult.FENCE_LOST;
    }
    if (update.removed) {
      size.decrementAndGet();
    }
    return UpdateResult.APPLIED;
  }

  /** Takes a slot for a new record, making room if the store is full. */
  private boolean reserveSlot(long now) {
    if (size.incrementAndGet() <= maxRecords) {
      return true;
    }
    if (purgeExpired(now, 1) > 0 || evictSoonestCompleted()) {
      return true;
    }
    size.decrementAndGet();
    throw new StoreCapacityExceededException(
        "in-memory idempotency store is full: all "
            + maxRecords
            + " records are in progress and none may be evicted; raise maxRecords or shorten"
            + " leases");
  }

  private int purgeExpired(long now, int limit) {
    int purged = purgeExpired(inProgressByExpiry, now, limit);
    return purged + purgeExpired(completedByExpiry, now, limit - purged);
  }

  private int purgeExpired(ConcurrentSkipListSet<Entry> index, long now, int limit) {
    int purged = 0;
    for (Iterator<Entry> it = index.iterator(); purged < limit && it.hasNext(); ) {
      Entry entry = it.next();
      if (entry.expiresAt > now) {
        break;
      }
      if (removeIfCurrent(entry)) {
        purged++;
      }
    }
    return purged;
  }

  private boolean evictSoonestCompleted() {
    for (Entry entry : completedByExpiry) {
      if (removeIfCurrent(entry)) {
        return true;
      }
    }
    return false;
  }

  private boolean removeIfCurrent(Entry entry) {
    boolean[] removed = {false};
    records.computeIfPresent(
        entry.key,
        (key, current) -> {
          if (current != entry) {
            return current;
          }
          unindex(current);
          removed[0] = true;
          return null;
        });
    if (removed[0]) {
      size.decrementAndGet();
    } else {
      unindex(entry); // not the current version of its key: an index entry nobody owns
    }
    return removed[0];
  }

  private void index(Entry entry) {
    (entry.state == RecordState.IN_PROGRESS ? inProgressByExpiry : completedByExpiry).add(entry);
  }

  private void unindex(Entry entry) {
    (entry.state == RecordState.IN_PROGRESS ? inProgressByExpiry : completedByExpiry).remove(entry);
  }

  /** The decision of one claim, run inside {@code compute} on the key. */
  private final class Claim implements BiFunction<StorageKey, Entry, Entry> {
    final Fingerprint fingerprint;
    final long leaseMillis;
    final long retentionMillis;
    long now;
    boolean slotReserved;
    boolean inserted;
    ClaimResult result;

    Claim(Fingerprint fingerprint, long leaseMillis, long retentionMillis) {
      this.fingerprint = fingerprint;
      this.leaseMillis = leaseMillis;
      this.retentionMillis = retentionMillis;
    }

    @Override
    public Entry apply(StorageKey key, Entry current) {
      if (current == null) {
        if (!slotReserved) {
          return null;
        }
        inserted = true;
        return acquire(key, false, null);
      }
      if (current.expiresAt <= now) {
        unindex(current);
        return acquire(key, false, null);
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
      unindex(current);
      return acquire(key, true, current.recoveryPoint);
    }

    private Entry acquire(StorageKey key, boolean takeover, RecoveryPoint recoveryPoint) {
      long fence = fences.incrementAndGet();
      long leaseEnd = now + leaseMillis;
      Entry entry =
          new Entry(
              key,
              RecordState.IN_PROGRESS,
              fingerprint,
              fence,
              leaseEnd,
              Math.max(leaseEnd, now + retentionMillis),
              retentionMillis,
              null,
              recoveryPoint,
              sequence.incrementAndGet());
      index(entry);
      result =
          takeover
              ? new ClaimResult.Acquired(fence, true, Optional.ofNullable(recoveryPoint))
              : ClaimResult.Acquired.fresh(fence);
      return entry;
    }
  }

  /** What a fenced update makes of the current IN_PROGRESS record; null removes it. */
  @FunctionalInterface
  private interface Transition {
    Entry next(Entry current, long now);
  }

  private final class FencedUpdate implements BiFunction<StorageKey, Entry, Entry> {
    final long fence;
    final long now;
    final Transition transition;
    UpdateResult result;
    boolean removed;

    FencedUpdate(long fence, long now, Transition transition) {
      this.fence = fence;
      this.now = now;
      this.transition = transition;
    }

    @Override
    public Entry apply(StorageKey key, Entry current) {
      if (current.fence != fence
          || current.state != RecordState.IN_PROGRESS
          || current.expiresAt <= now) {
        return current;
      }
      Entry next = transition.next(current, now);
      unindex(current);
      if (next == null) {
        removed = true;
      } else {
        index(next);
      }
      result = UpdateResult.APPLIED;
      return next;
    }
  }

  /** One version of a record; immutable, ordered by expiry for the indexes. */
  private static final class Entry implements Comparable<Entry> {
    final StorageKey key;
    final RecordState state;
    final Fingerprint fingerprint;
    final long fence;
    final long leaseExpiresAt;
    final long expiresAt;
    final long retentionMillis;
    final StoredResponse response;
    final RecoveryPoint recoveryPoint;
    final long sequence;

    Entry(
        StorageKey key,
        RecordState state,
        Fingerprint fingerprint,
        long fence,
        long leaseExpiresAt,
        long expiresAt,
        long retentionMillis,
        StoredResponse response,
        RecoveryPoint recoveryPoint,
        long sequence) {
      this.key = key;
      this.state = state;
      this.fingerprint = fingerprint;
      this.fence = fence;
      this.leaseExpiresAt = leaseExpiresAt;
      this.expiresAt = expiresAt;
      this.retentionMillis = retentionMillis;
      this.response = response;
      this.recoveryPoint = recoveryPoint;
      this.sequence = sequence;
    }

    Entry withLease(long leaseEnd, long sequence) {
      return new Entry(
          key,
          state,
          fingerprint,
          fence,
          leaseEnd,
          Math.max(expiresAt, leaseEnd),
          retentionMillis,
          response,
          recoveryPoint,
          sequence);
    }

    Entry withRecoveryPoint(RecoveryPoint point, long sequence) {
      return new Entry(
          key,
          state,
          fingerprint,
          fence,
          leaseExpiresAt,
          expiresAt,
          retentionMillis,
          response,
          point,
          sequence);
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

    @Override
    public int compareTo(Entry other) {
      int byExpiry = Long.compare(expiresAt, other.expiresAt);
      return byExpiry != 0 ? byExpiry : Long.compare(sequence, other.sequence);
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
     * The most records held at once, 1 to 100,000,000; {@value #DEFAULT_MAX_RECORDS} by default.
     */
    public Builder maxRecords(int maxRecords) {
      this.maxRecords = Checks.inRange(maxRecords, 1, 100_000_000, "maxRecords");
      return this;
    }

    public InMemoryIdempotencyStore build() {
      return new InMemoryIdempotencyStore(this);
    }
  }
}
