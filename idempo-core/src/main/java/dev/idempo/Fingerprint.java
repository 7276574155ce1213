package dev.idempo;

import dev.idempo.internal.Checks;
import dev.idempo.internal.Sha256;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * What makes two requests "the same": a SHA-256 over named, length-prefixed parts (for HTTP:
 * method, path, query, content type, body). A retry with the same key but a different fingerprint
 * is a mismatch, never a replay.
 *
 * <p>Immutable and thread-safe; {@link Builder} is not thread-safe.
 */
public final class Fingerprint {
  /** Length of a fingerprint in bytes. */
  public static final int LENGTH = 32;

  private final byte[] hash;

  private Fingerprint(byte[] hash) {
    this.hash = hash;
  }

  /** A builder that hashes parts in the order they are added. */
  public static Builder builder() {
    return new Builder();
  }

  /** The fingerprint of one unnamed part: {@code builder().add("", value).build()}. */
  public static Fingerprint of(byte[] value) {
    return builder().add("", value).build();
  }

  /**
   * Restores a fingerprint from the 32 bytes of {@link #toBytes()}, as read back from a store.
   *
   * @throws IllegalArgumentException if {@code hash} is not 32 bytes long
   */
  public static Fingerprint fromBytes(byte[] hash) {
    Checks.notNull(hash, "hash");
    if (hash.length != LENGTH) {
      throw new IllegalArgumentException(
          "fingerprint must be " + LENGTH + " bytes, was " + hash.length);
    }
    return new Fingerprint(hash.clone());
  }

  /** Restores a fingerprint from its 64-character hex form, {@link #toHex()}. */
  public static Fingerprint fromHex(String hex) {
    Checks.notNull(hex, "hex");
    if (hex.length() != 2 * LENGTH) {
      throw new IllegalArgumentException(
          "fingerprint hex must be " + 2 * LENGTH + " characters, was " + hex.length());
    }
    return new Fingerprint(HexFormat.of().parseHex(hex));
  }

  /** A copy of the 32 hash bytes. */
  public byte[] toBytes() {
    return hash.clone();
  }

  /** The hash as 64 lower-case hex characters. */
  public String toHex() {
    return HexFormat.of().formatHex(hash);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Fingerprint fingerprint && Arrays.equals(fingerprint.hash, hash);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hash);
  }

  @Override
  public String toString() {
    return "Fingerprint[" + toHex().substring(0, 16) + "…]";
  }

  /** Adds named parts; {@link #build()} may be called once. Not thread-safe. */
  public static final class Builder {
    private Sha256 sha = new Sha256("idempo.fingerprint.v1");

    private Builder() {}

    /** Adds a named text part, hashed as UTF-8. */
    public Builder add(String name, String value) {
      Checks.notNull(value, "value");
      return add(name, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Adds a named binary part. */
    public Builder add(String name, byte[] value) {
      Checks.notNull(name, "name");
      Checks.notNull(value, "value");
      return add(name, value, 0, value.length);
    }

    /** Adds a named slice of a byte array. */
    public Builder add(String name, byte[] value, int offset, int length) {
      Checks.notNull(name, "name");
      Checks.notNull(value, "value");
      java.util.Objects.checkFromIndexSize(offset, length, value.length);
      requireOpen();
      sha.part(name).part(value, offset, length);
      return this;
    }

    public Fingerprint build() {
      requireOpen();
      byte[] hash = sha.finish();
      sha = null;
      return new Fingerprint(hash);
    }

    private void requireOpen() {
      if (sha == null) {
        throw new IllegalStateException("build() was already called on this builder");
      }
    }
  }
}
