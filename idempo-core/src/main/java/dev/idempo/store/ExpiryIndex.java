package dev.idempo.store;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The in-memory store's records by expiry, in coarse time buckets: a bucket holds the records that
 * expire within one {@value #BUCKET_MILLIS} ms window, in an array with room to append. A record
 * knows its bucket and slot, so it leaves in O(1) (its slot is cleared) and joins in O(1) (an
 * append); no per-record node is allocated, unlike the skip list this replaced. Buckets are found
 * through a small direct-mapped cache of recent ones, and only a bucket's creation or removal takes
 * the lock on the ordered map of buckets.
 *
 * <p>Exact: the index holds each current record once and nothing else (cleared slots are holes,
 * compacted away as they pile up, and an empty bucket is dropped unless it is one of the {@value
 * #RECENT} cached ones), so its memory is bounded by the number of records.
 *
 * <p>Locks: the store holds a record's monitor around every call here that changes the record, and
 * the index then takes a bucket's monitor, or its own, never both at once (only {@link #size()}
 * takes bucket monitors inside its own), so there is no cycle. A record's {@code expiresAt}, {@code
 * bucket} and {@code slot} are written only under its bucket's monitor while it is indexed, so a
 * bucket scan reads them consistently without the record's monitor.
 */
final class ExpiryIndex {
  /** Buckets are 2^SHIFT ms wide. */
  private static final int SHIFT = 4;

  static final int BUCKET_MILLIS = 1 << SHIFT;

  /** The number of cached buckets; a power of two. */
  static final int RECENT = 64;

  /** Racy on purpose: a bucket read from it is checked under its own monitor before use. */
  private final Bucket[] recent = new Bucket[RECENT];

  /** Every live bucket by id (start of its window / BUCKET_MILLIS). Guarded by {@code this}. */
  private final TreeMap<Long, Bucket> buckets = new TreeMap<>();

  /** The first bucket of {@link #buckets}, or null: read without the lock by purges. */
  private volatile Bucket head;

  /** Indexes {@code entry} at {@code expiresAt}; the entry must not be indexed. */
  void add(InMemoryIdempotencyStore.Entry entry, long expiresAt) {
    long id = expiresAt >> SHIFT;
    while (true) {
      Bucket bucket = recent[cacheSlot(id)];
      if (bucket == null || bucket.id != id) {
        bucket = bucket(id);
      }
      synchronized (bucket) {
        if (!bucket.dead) {
          entry.expiresAt = expiresAt;
          bucket.append(entry);
          return;
        }
      }
    }
  }

  /** Moves an indexed {@code entry} to {@code expiresAt}; in place if the bucket is the same. */
  void move(InMemoryIdempotencyStore.Entry entry, long expiresAt) {
    Bucket bucket = entry.bucket;
    if (bucket.id == expiresAt >> SHIFT) {
      synchronized (bucket) {
        entry.expiresAt = expiresAt;
      }
      return;
    }
    remove(entry);
    add(entry, expiresAt);
  }

  /** Takes an indexed {@code entry} out. */
  void remove(InMemoryIdempotencyStore.Entry entry) {
    Bucket bucket = entry.bucket;
    boolean empty;
    synchronized (bucket) {
      bucket.clear(entry.slot);
      entry.bucket = null;
      empty = bucket.live == 0;
    }
    if (empty && recent[cacheSlot(bucket.id)] != bucket) {
      dropIfEmpty(bucket);
    }
  }

  /**
   * An indexed entry expired at {@code now}, soonest bucket first, or null if there is none. Within
   * the bucket holding {@code now} entries are not sorted: a quick look takes the first entry only
   * if it has expired (O(1)), a thorough one scans the bucket (one window's records).
   */
  InMemoryIdempotencyStore.Entry expired(long now, boolean thorough) {
    while (true) {
      Bucket bucket = head;
      if (bucket == null || bucket.id > now >> SHIFT) {
        return null;
      }
      synchronized (bucket) {
        if (!bucket.dead) {
          if (bucket.live > 0) {
            return bucket.firstExpired(now, thorough);
          }
          // Empty, and its window has begun: not worth keeping for the few records still to come.
          bucket.dead = true;
        }
      }
      dropDead(bucket);
    }
  }

  /** The number of indexed entries; O(buckets), for tests. */
  synchronized int size() {
    int size = 0;
    for (Bucket bucket : buckets.values()) {
      synchronized (bucket) {
        size += bucket.live;
      }
    }
    return size;
  }

  /** The number of buckets; for tests of the memory bound. */
  synchronized int buckets() {
    return buckets.size();
  }

  private Bucket bucket(long id) {
    Bucket bucket;
    Bucket evicted;
    synchronized (this) {
      bucket = buckets.get(id);
      if (bucket == null || bucket.dead) {
        bucket = new Bucket(id);
        buckets.put(id, bucket);
        if (head == null || id < head.id) {
          head = bucket;
        }
      }
      int slot = cacheSlot(id);
      evicted = recent[slot];
      recent[slot] = bucket;
    }
    if (evicted != null && evicted != bucket) {
      dropIfEmpty(evicted);
    }
    return bucket;
  }

  /** Drops {@code bucket} if it is empty and no longer cached. */
  private void dropIfEmpty(Bucket bucket) {
    synchronized (bucket) {
      if (bucket.dead || bucket.live > 0 || recent[cacheSlot(bucket.id)] == bucket) {
        return;
      }
      bucket.dead = true;
    }
    dropDead(bucket);
  }

  /** Takes a bucket marked dead out of the map, the cache and the head. */
  private synchronized void dropDead(Bucket bucket) {
    buckets.remove(bucket.id, bucket);
    int slot = cacheSlot(bucket.id);
    if (recent[slot] == bucket) {
      recent[slot] = null;
    }
    if (head == bucket) {
      Map.Entry<Long, Bucket> first = buckets.firstEntry();
      head = first == null ? null : first.getValue();
    }
  }

  private static int cacheSlot(long id) {
    return (int) id & (RECENT - 1);
  }

  /** The records expiring in one window. Guarded by its own monitor. */
  static final class Bucket {
    private static final int INITIAL = 8;

    final long id;
    InMemoryIdempotencyStore.Entry[] slots = new InMemoryIdempotencyStore.Entry[INITIAL];

    /** Slots in use, holes included. */
    int length;

    /** Entries held. */
    int live;

    /** Every slot before it is a hole. */
    int cursor;

    /** Taken out of the map: holds nothing and takes nothing. */
    boolean dead;

    Bucket(long id) {
      this.id = id;
    }

    void append(InMemoryIdempotencyStore.Entry entry) {
      if (length == slots.length) {
        if (live * 2 <= length) {
          compact(slots.length);
        } else {
          compact(slots.length * 2);
        }
      }
      slots[length] = entry;
      entry.bucket = this;
      entry.slot = length;
      length++;
      live++;
    }

    void clear(int slot) {
      slots[slot] = null;
      live--;
      if (live == 0) {
        length = 0;
        cursor = 0;
        if (slots.length > 8 * INITIAL) {
          slots = new InMemoryIdempotencyStore.Entry[INITIAL];
        }
      } else if (slots.length > 8 * INITIAL && live * 8 < slots.length) {
        compact(slots.length / 2);
      }
    }

    InMemoryIdempotencyStore.Entry firstExpired(long now, boolean thorough) {
      while (cursor < length && slots[cursor] == null) {
        cursor++;
      }
      for (int i = cursor; i < length; i++) {
        InMemoryIdempotencyStore.Entry entry = slots[i];
        if (entry == null) {
          continue;
        }
        if (entry.expiresAt <= now) {
          return entry;
        }
        if (!thorough) {
          return null;
        }
      }
      return null;
    }

    /** Moves the entries to the front of an array of {@code capacity} slots, in order. */
    private void compact(int capacity) {
      InMemoryIdempotencyStore.Entry[] from = slots;
      InMemoryIdempotencyStore.Entry[] to =
          capacity == from.length ? from : new InMemoryIdempotencyStore.Entry[capacity];
      int n = 0;
      for (int i = 0; i < length; i++) {
        InMemoryIdempotencyStore.Entry entry = from[i];
        if (entry != null) {
          to[n] = entry;
          entry.slot = n;
          n++;
        }
      }
      if (to == from) {
        Arrays.fill(to, n, length, null);
      }
      slots = to;
      length = n;
      cursor = 0;
    }
  }
}
