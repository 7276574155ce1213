package dev.idempo.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys that encrypt stored responses (AES-256-GCM, {@link CapturedResponseCodec}), each
 * under a key id written next to the ciphertext. Keys rotate: new records are encrypted with the
 * newest key (the one added last); records written under an older key still decrypt as long as that
 * key stays configured; a record whose key id is not configured fails with a {@link
 * StoredResponseUnreadableException} naming the id.
 *
 * <p>Immutable and thread-safe; {@link #toString()} shows key ids, never key material.
 */
public final class EncryptionKeys {
  /** The longest key id, in characters. */
  public static final int MAX_KEY_ID_LENGTH = 64;

  /** The length of an AES-256 key, in bytes. */
  public static final int KEY_LENGTH = 32;

  private final Map<String, SecretKey> keys;
  private final String currentKeyId;

  private EncryptionKeys(Map<String, SecretKey> keys, String currentKeyId) {
    this.keys = keys;
    this.currentKeyId = currentKeyId;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The id of the key new records are encrypted with: the one added last. */
  public String currentKeyId() {
    return currentKeyId;
  }

  /** Every configured key id, oldest first. */
  public Set<String> keyIds() {
    return keys.keySet();
  }

  SecretKey current() {
    return keys.get(currentKeyId);
  }

  /** The key with id {@code keyId}, or null. */
  SecretKey find(String keyId) {
    return keys.get(keyId);
  }

  @Override
  public String toString() {
    return "EncryptionKeys[current=" + currentKeyId + ", ids=" + keys.keySet() + "]";
  }

  /** Collects keys, oldest first. Not thread-safe. */
  public static final class Builder {
    private final Map<String, SecretKey> keys = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds a key; the key added last encrypts new records.
     *
     * @param keyId 1 to {@value #MAX_KEY_ID_LENGTH} visible ASCII characters, unique
     * @param key exactly {@value #KEY_LENGTH} bytes (AES-256); copied
     * @throws IllegalArgumentException if the id is empty, too long, not visible ASCII or already
     *     added, or the key is not 32 bytes long
     */
    public Builder add(String keyId, byte[] key) {
      Objects.requireNonNull(keyId, "keyId must not be null");
      Objects.requireNonNull(key, "key must not be null");
      if (keyId.isEmpty() || keyId.length() > MAX_KEY_ID_LENGTH) {
        throw new IllegalArgumentException(
            "keyId must be 1 to " + MAX_KEY_ID_LENGTH + " characters, was " + keyId.length());
      }
      for (int i = 0; i < keyId.length(); i++) {
        char c = keyId.charAt(i);
        if (c < 0x21 || c > 0x7E) {
          throw new IllegalArgumentException(
              "keyId must be visible ASCII; character at index "
                  + i
                  + " is 0x"
                  + Integer.toHexString(c));
        }
      }
      if (key.length != KEY_LENGTH) {
        throw new IllegalArgumentException(
            "key " + keyId + " must be " + KEY_LENGTH + " bytes (AES-256), was " + key.length);
      }
      if (keys.containsKey(keyId)) {
        throw new IllegalArgumentException("keyId " + keyId + " was already added");
      }
      keys.put(keyId, new SecretKeySpec(key.clone(), "AES"));
      return this;
    }

    /**
     * The keys added so far; the one added last encrypts new records.
     *
     * @throws IllegalStateException if no key was added
     */
    public EncryptionKeys build() {
      if (keys.isEmpty()) {
        throw new IllegalStateException("add at least one key before build()");
      }
      String current = null;
      for (String id : keys.keySet()) {
        current = id;
      }
      return new EncryptionKeys(Collections.unmodifiableMap(new LinkedHashMap<>(keys)), current);
    }
  }
}
