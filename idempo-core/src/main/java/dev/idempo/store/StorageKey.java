package dev.idempo.store;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The only key a store sees: a SHA-256 of scope and client key (see {@link
 * dev.idempo.Scope#storageKey}). Fixed length, so stores never hold caller-controlled strings.
 *
 * <p>Immutable and thread-safe.
 */
public final class StorageKey implements Comparable<StorageKey> {
  /** Length of a storage key in bytes. */
  public static final int LENGTH = 32;

  private final byte[] hash;
  private final int hashCode;

  private StorageKey(byte[] hash) {
    this.hash = hash;
    this.hashCode = Arrays.hashCode(hash);
  }

  /**
   * A storage key from its 32 hash bytes (copied).
   *
   * @throws IllegalArgumentException if {@code hash} is not 32 bytes long
   */
  public static StorageKey of(byte[] hash) {
    if (hash == null) {
      throw new NullPointerException("storage key must not be null");
    }
    return wrap(hash.clone());
  }

  /** Parses {@link #toString()}: 43 characters of unpadded base64url. */
  public static StorageKey parse(String base64Url) {
    if (base64Url == null) {
      throw new NullPointerException("storage key must not be null");
    }
    try {
      return wrap(Base64.getUrlDecoder().decode(base64Url));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("storage key must be unpadded base64url: " + base64Url, e);
    }
  }

  private static StorageKey wrap(byte[] hash) {
    if (hash.length != LENGTH) {
      throw new IllegalArgumentException(
          "storage key must be " + LENGTH + " bytes, was " + hash.length);
    }
    return new StorageKey(hash);
  }

  /** A copy of the 32 hash bytes. */
  public byte[] toBytes() {
    return hash.clone();
  }

  /** The key as 64 lower-case hex characters. */
  public String toHex() {
    return HexFormat.of().formatHex(hash);
  }

  /** The key as 43 characters of unpadded base64url; {@link #parse} reads it back. */
  @Override
  public String toString() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StorageKey storageKey && Arrays.equals(storageKey.hash, hash);
  }

  @Override
  public int hashCode() {
    return hashCode;
  }

  @Override
  public int compareTo(StorageKey other) {
    return Arrays.compareUnsigned(hash, other.hash);
  }
}
