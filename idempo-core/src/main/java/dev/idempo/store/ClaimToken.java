package dev.idempo.store;

import java.util.Arrays;
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

  private final byte[] bytes;

  private ClaimToken(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A new random token, for one claim call. */
  public static ClaimToken random() {
    byte[] bytes = new byte[LENGTH];
    ThreadLocalRandom.current().nextBytes(bytes);
    return new ClaimToken(bytes);
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
    return new ClaimToken(bytes.clone());
  }

  /** A copy of the 16 bytes. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** The token as 22 characters of unpadded base64url. */
  @Override
  public String toString() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ClaimToken claimToken && Arrays.equals(claimToken.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }
}
