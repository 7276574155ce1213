package dev.idempo.store;

import java.util.Arrays;

/**
 * The stored outcome of a completed operation: opaque bytes that a store keeps and hands back byte
 * for byte on every replay. The executor and the HTTP layers define what the bytes mean; stores
 * never look inside.
 *
 * <p>Immutable and thread-safe: the bytes are copied in and out.
 */
public final class StoredResponse {
  private final byte[] bytes;

  private StoredResponse(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A response holding a copy of {@code bytes} (which may be empty). */
  public static StoredResponse of(byte[] bytes) {
    if (bytes == null) {
      throw new NullPointerException("stored response bytes must not be null");
    }
    return new StoredResponse(bytes.clone());
  }

  /** A copy of the stored bytes. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** The number of stored bytes. */
  public int size() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StoredResponse storedResponse
        && Arrays.equals(storedResponse.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "StoredResponse[" + bytes.length + " bytes]";
  }
}
