package dev.idempo.store;

import dev.idempo.Fingerprint;
import dev.idempo.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * to two expired records. (Completed records are kept in completion order per retention, so
 * "soonest-expiring" assumes the clock does not step backwards.)
 *
 * <p>Thread-safe. Records do not survive the JVM.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {
  /** The default bound on the number of records. */
  public static final int DEFAULT_MAX_RECORDS = 100_000;

  private static final int PURGE_PER_INSERT = 2;

  private final ConcurrentHashMap<StorageKey, Entry> records = new ConcurrentHashMap<>();
  /** Every IN_PROGRESS version, in creation order; versions no longer current are skipped. */
  private final ConcurrentLinkedQueue<Entry> inProgress = new ConcurrentLinkedQueue<>();
  /**
   * COMPLETED versions, one queue per retention: within a queue, completion order is expiry
   * order, so the soonest-expiring completed record is at the head of one of them.
   */
  private final ConcurrentHashMap<Long, ConcurrentLinkedQueue<Entry>> completedByRetention =
      new ConcurrentHashMap<>();
  private volatile ConcurrentLinkedQueue<Entry>[] completedQueues = newQueueArray(0);
  private volatile RetentionQueue lastCompletedQueue;
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
      claim.acquired = null;
      records.compute(key, claim);
      if (claim.acquired != null) {
        index(claim.acquired);
      }
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
    return update(key, new FencedUpdate(fence, FencedUpdate.COMPLETE, response, null, 0));
  }

  @Override
  public UpdateResult renew(StorageKey key, long fence, Duration lease) {
    StoreLimits.checkFenced(key, fence);
    StoreLimits.checkLease(lease);
    return update(key, new FencedUpdate(fence, FencedUpdate.RENEW, null, null, lease.toMillis()));
  }

  @Override
  public UpdateResult checkpoint(StorageKey key, long fence, RecoveryPoint point) {
    StoreLimits.checkFenced(key, fence);
    Checks.notNull(point, "point");
    return update(key, new FencedUpdate(fence, FencedUpdate.CHECKPOINT, null, point, 0));
  }

  @Override
  public UpdateResult release(StorageKey key, long fence) {
    StoreLimits.checkFenced(key, fence);
    return update(key, new FencedUpdate(fence, FencedUpdate.RELEASE, null, null, 0));
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

  private UpdateResult update(StorageKey key, FencedUpdate update) {
    update.now = clock.millis();
    records.computeIfPresent(key, update);
    if (update.result == null) {
      return UpdateResult.FENCE_LOST;
    }
    if (update.next == null) {
      size.decrementAndGet();
    } else {
      index(update.next);
    }
    return UpdateResult.APPLIED;
  }

  /** Takes a slot for a new record, making room if the store is full. */
  private boolean reserveSlot(long now) {
    if (size.incrementAndGet() <= maxRecords) {
      return true;
    }
    if (purgeExpired(now, 1) > 0 || evictSoonestCompleted() || purgeExpiredInProgressEverywhere(now)) {
      return true;
    }
    size.decrementAndGet();
    throw new StoreCapacityExceededException(
        "in-memory idempotency store is full: all "
            + maxRecords
            + " records are in progress and none may be evicted; raise maxRecords or shorten"
            + " leases");
  }

  /** Deletes up to {@code limit} expired records found at the heads of the queues. */
  private int purgeExpired(long now, int limit) {
    int purged = 0;
    for (ConcurrentLinkedQueue<Entry> queue : completedQueues) {
      purged += purgeHead(queue, now, limit - purged);
    }
    return purged + purgeHead(inProgress, now, limit - purged);
  }

  private int purgeHead(ConcurrentLinkedQueue<Entry> queue, long now, int limit) {
    int purged = 0;
    while (purged < limit) {
      Entry head = queue.peek();
      if (head == null) {
        break;
      }
      boolean current = !head.superseded;
      if (current && head.expiresAt > now) {
        break;
      }
      if (queue.remove(head) && current && removeIfCurrent(head)) {
        purged++;
      }
    }
    return purged;
  }

  /** The last resort before refusing a claim: a full pass over IN_PROGRESS records. */
  private boolean purgeExpiredInProgressEverywhere(long now) {
    for (Entry entry : inProgress) {
      if (entry.expiresAt <= now && removeIfCurrent(entry)) {
        inProgress.remove(entry);
        return true;
      }
    }
    return false;
  }

  private boolean evictSoonestCompleted() {
    while (true) {
      ConcurrentLinkedQueue<Entry> soonest = null;
      Entry candidate = null;
      for (ConcurrentLinkedQueue<Entry> queue : completedQueues) {
        Entry head = firstCurrent(queue);
        if (head != null && (candidate == null || head.expiresAt < candidate.expiresAt)) {
          soonest = queue;
          candidate = head;
        }
      }
      if (candidate == null) {
        return false;
      }
      if (soonest.remove(candidate) && removeIfCurrent(candidate)) {
        return true;
      }
    }
  }

  /** The head of {@code queue} after dropping versions that are no longer current. */
  private Entry firstCurrent(ConcurrentLinkedQueue<Entry> queue) {
    while (true) {
      Entry head = queue.peek();
      if (head == null || !head.superseded) {
        return head;
      }
      queue.remove(head);
    }
  }

  private boolean removeIfCurrent(Entry entry) {
    boolean[] removed = {false};
    records.computeIfPresent(
        entry.key,
        (key, current) -> {
          if (current != entry) {
            return current;
          }
          current.superseded = true;
          removed[0] = true;
          return null;
        });
    if (removed[0]) {
      size.decrementAndGet();
    }
    return removed[0];
  }

  private void index(Entry entry) {
    if (entry.state == RecordState.IN_PROGRESS) {
      inProgress.add(entry);
    } else {
      completedQueue(entry.retentionMillis).add(entry);
    }
  }

  private ConcurrentLinkedQueue<Entry> completedQueue(long retentionMillis) {
    RetentionQueue last = lastCompletedQueue;
    if (last != null && last.retentionMillis == retentionMillis) {
      return last.queue;
    }
    ConcurrentLinkedQueue<Entry> queue = completedByRetention.get(retentionMillis);
    if (queue != null) {
      lastCompletedQueue = new RetentionQueue(retentionMillis, queue);
      return queue;
    }
    synchronized (completedByRetention) {
      return completedByRetention.computeIfAbsent(
          retentionMillis,
          retention -> {
            ConcurrentLinkedQueue<Entry> created = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Entry>[] grown = java.util.Arrays.copyOf(completedQueues, completedQueues.length + 1);
            grown[grown.length - 1] = created;
            completedQueues = grown;
            return created;
          });
    }
  }

  /** The queue most recently completed into: most services use one retention. */
  private static final class RetentionQueue {
    final long retentionMillis;
    final ConcurrentLinkedQueue<Entry> queue;

    RetentionQueue(long retentionMillis, ConcurrentLinkedQueue<Entry> queue) {
      this.retentionMillis = retentionMillis;
      this.queue = queue;
    }
  }

  @SuppressWarnings("unchecked")
  private static ConcurrentLinkedQueue<Entry>[] newQueueArray(int length) {
    return (ConcurrentLinkedQueue<Entry>[]) new ConcurrentLinkedQueue<?>[length];
  }

  /** The decision of one claim, run inside {@code compute} on the key. */
  private final class Claim implements BiFunction<StorageKey, Entry, Entry> {
    final Fingerprint fingerprint;
    final long leaseMillis;
    final long retentionMillis;
    long now;
    boolean slotReserved;
    boolean inserted;
    Entry acquired;
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
        current.superseded = true;
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
      current.superseded = true;
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
              recoveryPoint);
      acquired = entry;
      result =
          takeover
              ? new ClaimResult.Acquired(fence, true, Optional.ofNullable(recoveryPoint))
              : ClaimResult.Acquired.fresh(fence);
      return entry;
    }
  }

  /** One fenced update, run inside {@code computeIfPresent} on the key. */
  private static final class FencedUpdate implements BiFunction<StorageKey, Entry, Entry> {
    static final int COMPLETE = 0;
    static final int RELEASE = 1;
    static final int RENEW = 2;
    static final int CHECKPOINT = 3;

    final long fence;
    final int operation;
    final StoredResponse response;
    final RecoveryPoint point;
    final long leaseMillis;
    long now;
    UpdateResult result;
    Entry next;

    FencedUpdate(long fence, int operation, StoredResponse response, RecoveryPoint point, long leaseMillis) {
      this.fence = fence;
      this.operation = operation;
      this.response = response;
      this.point = point;
      this.leaseMillis = leaseMillis;
    }

    @Override
    public Entry apply(StorageKey key, Entry current) {
      if (current.fence != fence
          || current.state != RecordState.IN_PROGRESS
          || current.expiresAt <= now) {
        return current;
      }
      switch (operation) {
        case COMPLETE:
          next = current.completed(response, now);
          break;
        case RENEW:
          next = current.withLease(now + leaseMillis);
          break;
        case CHECKPOINT:
          next = current.withRecoveryPoint(point);
          break;
        default:
          next = null;
      }
      current.superseded = true;
      result = UpdateResult.APPLIED;
      return next;
    }
  }

  /**
   * One version of a record; immutable but for {@code superseded}, which is set (under the key's
   * lock) once another version or removal replaces it, so queues can skip it without a lookup.
   */
  private static final class Entry {
    volatile boolean superseded;
    final StorageKey key;
    final RecordState state;
    final Fingerprint fingerprint;
    final long fence;
    final long leaseExpiresAt;
    final long expiresAt;
    final long retentionMillis;
    final StoredResponse response;
    final RecoveryPoint recoveryPoint;

    Entry(
        StorageKey key,
        RecordState state,
        Fingerprint fingerprint,
        long fence,
        long leaseExpiresAt,
        long expiresAt,
        long retentionMillis,
        StoredResponse response,
        RecoveryPoint recoveryPoint) {
      this.key = key;
      this.state = state;
      this.fingerprint = fingerprint;
      this.fence = fence;
      this.leaseExpiresAt = leaseExpiresAt;
      this.expiresAt = expiresAt;
      this.retentionMillis = retentionMillis;
      this.response = response;
      this.recoveryPoint = recoveryPoint;
    }

    Entry completed(StoredResponse stored, long now) {
      return new Entry(
          key,
          RecordState.COMPLETED,
          fingerprint,
          fence,
          leaseExpiresAt,
          now + retentionMillis,
          retentionMillis,
          stored,
          null);
    }

    Entry withLease(long leaseEnd) {
      return new Entry(
          key,
          state,
          fingerprint,
          fence,
          leaseEnd,
          Math.max(expiresAt, leaseEnd),
          retentionMillis,
          response,
          recoveryPoint);
    }

    Entry withRecoveryPoint(RecoveryPoint point) {
      return new Entry(
          key,
          state,
          fingerprint,
          fence,
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
