package dev.idempo.store;

import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A caller-chosen id of one claim call, stored with the record the claim creates or takes over, so
 * that a claim whose answer was lost (a timeout, a dropped connection) can still be undone by
 * {@link IdempotencyStore#abandon}: the caller never learned the fence, but it knows its token. 16
 * random bytes; unique per call, not secret.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClaimToken {
  /** Length of a token in bytes. */
  public static final int LENGTH = 16;

  // Two longs, not a byte array: one object per claim instead of two (a claim's hot path).
  private final long high;
  private final long low;

  private ClaimToken(long high, long low) {
    this.high = high;
    this.low = low;
  }

  /** A new random token, for one claim call. */
  public static ClaimToken random() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new ClaimToken(random.nextLong(), random.nextLong());
  }

  /**
   * A token from its 16 bytes (copied), as a store reads it back.
   *
   * @throws IllegalArgumentException if {@code bytes} is not 16 bytes long
   */
  public static ClaimToken of(byte[] bytes) {
    if (bytes == null) {
      throw new NullPointerException("token must not be null");
    }
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("token must be " + LENGTH + " bytes, was " + bytes.length);
    }
    return new ClaimToken(readLong(bytes, 0), readLong(bytes, 8));
  }

  /** A copy of the 16 bytes. */
  public byte[] toBytes() {
    byte[] bytes = new byte[LENGTH];
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (high >>> (56 - 8 * i));
      bytes[8 + i] = (byte) (low >>> (56 - 8 * i));
    }
    return bytes;
  }

  private static long readLong(byte[] bytes, int from) {
    long value = 0;
    for (int i = from; i < from + 8; i++) {
      value = (value << 8) | (bytes[i] & 0xFF);
    }
    return value;
  }

  /** The token as 22 characters of unpadded base64url. */
  @Override
  public String toString() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(toBytes());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ClaimToken claimToken
        && claimToken.high == high
        && claimToken.low == low;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(high * 31 + low);
  }
}
