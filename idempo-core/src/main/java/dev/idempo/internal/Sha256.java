package dev.idempo.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 over length-prefixed parts: every part is preceded by its length as four big-endian
 * bytes, so ("ab", "c") and ("a", "bc") hash differently. Not thread-safe: one per hash.
 */
public final class Sha256 {
  private static final MessageDigest PROTOTYPE = newDigest();

  private final MessageDigest digest;

  /** The length prefix, fed in one {@code update} (four one-byte updates cost four calls). */
  private final byte[] prefix = new byte[4];

  public Sha256(String domain) {
    this.digest = cloneDigest();
    part(domain);
  }

  public Sha256 part(String value) {
    return part(value.getBytes(StandardCharsets.UTF_8));
  }

  public Sha256 part(byte[] value) {
    return part(value, 0, value.length);
  }

  public Sha256 part(byte[] value, int offset, int length) {
    prefix[0] = (byte) (length >>> 24);
    prefix[1] = (byte) (length >>> 16);
    prefix[2] = (byte) (length >>> 8);
    prefix[3] = (byte) length;
    digest.update(prefix, 0, 4);
    digest.update(value, offset, length);
    return this;
  }

  public byte[] finish() {
    return digest.digest();
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must support SHA-256", e);
    }
  }

  private static MessageDigest cloneDigest() {
    try {
      return (MessageDigest) PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return newDigest();
    }
  }
}
