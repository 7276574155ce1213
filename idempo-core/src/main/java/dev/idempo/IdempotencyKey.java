package dev.idempo;

import dev.idempo.internal.Checks;
import dev.idempo.internal.Sha256;
import java.util.Base64;

/**
 * A client key: the string a caller sends to name one logical operation (an {@code Idempotency-Key}
 * header, a message id, a webhook id).
 *
 * <p>A key is 1 to {@value #MAX_LENGTH} visible ASCII characters ({@code 0x21}–{@code 0x7E}). Keys
 * are compared by value. Instances are immutable and thread-safe.
 */
public final class IdempotencyKey {
  /** The longest key accepted, in characters. */
  public static final int MAX_LENGTH = 255;

  private static final String DERIVED_PREFIX = "d1.";
  private static final int MAX_PART_LENGTH = 4096;

  private final String value;

  private IdempotencyKey(String value) {
    this.value = value;
  }

  /**
   * Validates a client key.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if {@code value} is empty, longer than {@value #MAX_LENGTH}
   *     characters, or holds a character outside visible ASCII; the message names the position
   */
  public static IdempotencyKey of(String value) {
    Checks.notEmpty(value, "idempotency key", MAX_LENGTH);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        throw new IllegalArgumentException(
            "idempotency key must be visible ASCII (0x21-0x7E); character at index "
                + i
                + " is 0x"
                + Integer.toHexString(c));
      }
    }
    return new IdempotencyKey(value);
  }

  /**
   * Derives a key deterministically from a business id, for callers who can name the operation (a
   * cart id, a job id): the same {@code namespace} and {@code id} always give the same key, and
   * different pairs give different keys (SHA-256 over length-prefixed parts).
   *
   * @param namespace what kind of operation, e.g. {@code "checkout"}; 1 to 4096 characters
   * @param id the business id, e.g. the cart id; 1 to 4096 characters
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if an argument is empty or longer than 4096 characters
   */
  public static IdempotencyKey derive(String namespace, String id) {
    Checks.notEmpty(namespace, "namespace", MAX_PART_LENGTH);
    Checks.notEmpty(id, "id", MAX_PART_LENGTH);
    byte[] hash = new Sha256("idempo.derived-key.v1").part(namespace).part(id).finish();
    return new IdempotencyKey(
        DERIVED_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(hash));
  }

  /** The key as the caller sent it. */
  public String value() {
    return value;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof IdempotencyKey idempotencyKey && idempotencyKey.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return value;
  }
}
