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
    digest.update((byte) (length >>> 24));
    digest.update((byte) (length >>> 16));
    digest.update((byte) (length >>> 8));
    digest.update((byte) length);
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
