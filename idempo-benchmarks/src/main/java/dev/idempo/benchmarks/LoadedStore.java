package dev.idempo.benchmarks;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A store of the cost curves and a fast way to fill it: records numbered {@code i} (key {@link
 * #key}: SHA-256 of {@code i} as 8 big-endian bytes, the same in Java and in PostgreSQL's {@code
 * sha256(int8send(i))}), written in the format the store itself writes but without its API, which
 * is too slow for ten million keys. Every record is COMPLETED with {@link #FINGERPRINT} and {@link
 * #RESPONSE}; one in {@value #EXPIRED_EVERY} ({@link #expired}) is already expired (or, on Redis,
 * which never holds an expired key, expires within a minute) so the purge has work. Not
 * thread-safe.
 */
interface LoadedStore extends AutoCloseable {
  /** The fingerprint of every loaded record. */
  Fingerprint FINGERPRINT = Fingerprint.builder().add("body", "{\"amount\":1000}").build();

  /** The 200-byte response of every loaded record (and of the measured first runs). */
  StoredResponse RESPONSE =
      StoredResponse.of(
          Arrays.copyOf(
              ("HTTP/1.1 201\r\ncontent-type: application/json\r\n\r\n{\"id\":\"pay_1\"}"
                      + " ".repeat(200))
                  .getBytes(StandardCharsets.US_ASCII),
              200));

  /** How long a loaded live record stays: far beyond any run. */
  Duration LIVE_RETENTION = Duration.ofDays(1);

  /** One record in this many is loaded expired. */
  int EXPIRED_EVERY = 100;

  /** The store's name in tables and plots. */
  String name();

  /** The store under test; owned by this object. */
  IdempotencyStore store();

  /**
   * Writes records {@code from} (inclusive) to {@code to} (exclusive) as the store would have
   * written them, bypassing its API.
   */
  void load(long from, long to) throws Exception;

  /** What the store occupies now, in bytes (see {@link #sizeMeaning}). */
  long sizeBytes() throws Exception;

  /** What {@link #sizeBytes} measures, for the tables. */
  String sizeMeaning();

  /** Closes the store and stops its server, if it started one; deletes its files. */
  @Override
  void close();

  /** Whether an expired loaded record stays until purged (false on Redis: it expires later). */
  default boolean holdsExpired() {
    return true;
  }

  /** The key of record {@code i}. */
  static StorageKey key(long i) {
    try {
      return StorageKey.of(
          MessageDigest.getInstance("SHA-256").digest(ByteBuffer.allocate(8).putLong(i).array()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Whether record {@code i} is loaded expired. */
  static boolean expired(long i) {
    return i % EXPIRED_EVERY == 0;
  }

  /**
   * Checks that {@code samples} loaded records of {@code [from, to)} read back through the store's
   * API: a live one replays {@link #RESPONSE}, an expired one is absent. Guards the bulk format
   * against drifting from what the store writes.
   *
   * @throws IllegalStateException naming the first record that does not read back
   */
  static void verify(LoadedStore loaded, long from, long to, int samples) {
    IdempotencyStore store = loaded.store();
    SplittableRandom random = new SplittableRandom(from ^ to);
    for (int n = 0; n < samples; n++) {
      long i = n == 0 ? from : n == 1 ? to - 1 : random.nextLong(from, to);
      StorageKey key = key(i);
      if (expired(i)) {
        if (loaded.holdsExpired() && store.find(key).isPresent()) {
          throw new IllegalStateException(
              loaded.name() + ": loaded record " + i + " should be expired but is found");
        }
        continue;
      }
      ClaimResult claim = store.claim(key, FINGERPRINT, Duration.ofSeconds(30), LIVE_RETENTION);
      if (!(claim instanceof ClaimResult.Replay replay) || !replay.response().equals(RESPONSE)) {
        throw new IllegalStateException(
            loaded.name() + ": loaded record " + i + " does not replay, the claim gave " + claim);
      }
    }
  }
}
