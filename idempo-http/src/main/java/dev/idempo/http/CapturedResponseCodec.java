package dev.idempo.http;

import dev.idempo.ResultCodec;
import dev.idempo.store.StorageKey;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The stored form of a {@link CapturedResponse}, versioned so later Idempo versions keep reading
 * what earlier ones wrote:
 *
 * <pre>
 * byte   0xC5 (magic), format version (1), kind (0 plain, 1 AES-256-GCM, 2 bound AES-256-GCM)
 * plain: response
 * GCM:   u8 key id length, key id (ASCII), 12-byte random nonce, AES-256-GCM(response) with a
 *        128-bit tag; the associated data is every byte before the nonce
 * bound: u8 key id length, key id (ASCII), the record's 32-byte storage key, then as GCM: the
 *        storage key is associated data, so the ciphertext authenticates only as that record's
 * response: u16 status, i32 header lines, per line (u16 name length, name (ASCII), i32 value
 *           length, value (UTF-8)), i32 body length, body
 * </pre>
 *
 * <p>An encrypting codec ({@link #encrypted}) writes with the newest key of its {@link
 * EncryptionKeys}, bound to the record's storage key when the response carries one ({@link
 * HttpAttempt} binds every response it stores; {@link HttpIdempotency} refuses a replay bound to
 * another record, or not bound), and reads records under any configured key, so keys can be rotated
 * without losing stored responses. It refuses plain records: where encryption is on, a plain record
 * was not written by this server (or was written before encryption was switched on), and anyone
 * able to write to the store could forge one. A plain codec refuses encrypted records. Reading
 * anything else throws {@link StoredResponseUnreadableException}.
 *
 * <p>Thread-safe.
 */
public final class CapturedResponseCodec implements ResultCodec<CapturedResponse> {
  static final byte MAGIC = (byte) 0xC5;
  static final byte VERSION = 1;
  static final byte PLAIN = 0;
  static final byte AES_256_GCM = 1;
  static final byte AES_256_GCM_BOUND = 2;
  private static final int BINDING_LENGTH = 32;
  private static final int NONCE_LENGTH = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final EncryptionKeys keys; // null: plain

  private CapturedResponseCodec(EncryptionKeys keys) {
    this.keys = keys;
  }

  /** A codec that stores responses as they are. */
  public static CapturedResponseCodec plain() {
    return new CapturedResponseCodec(null);
  }

  /** A codec that encrypts stored responses with AES-256-GCM under {@code keys}. */
  public static CapturedResponseCodec encrypted(EncryptionKeys keys) {
    return new CapturedResponseCodec(Objects.requireNonNull(keys, "keys must not be null"));
  }

  /**
   * This codec for the one record stored under {@code storageKey}, for adapters that store
   * responses on their own path (the Spring starter's transactional mode; {@link HttpIdempotency}
   * binds through {@link HttpAttempt}): when encrypting, each response is bound to that record (its
   * storage key is the cipher's associated data), and decoding refuses an encrypted response bound
   * to another record, or to none, with {@link StoredResponseUnreadableException}, so one key's
   * ciphertext is never served for another. A plain codec is returned unchanged in effect.
   */
  public ResultCodec<CapturedResponse> forRecord(StorageKey storageKey) {
    byte[] binding = Objects.requireNonNull(storageKey, "storageKey must not be null").toBytes();
    CapturedResponseCodec codec = this;
    return new ResultCodec<>() {
      @Override
      public byte[] encode(CapturedResponse response) {
        Objects.requireNonNull(response, "response must not be null");
        return codec.encode(response.boundTo(binding));
      }

      @Override
      public CapturedResponse decode(byte[] bytes) {
        CapturedResponse response = codec.decode(bytes);
        if (codec.keys != null && !Arrays.equals(response.binding(), binding)) {
          throw new StoredResponseUnreadableException(
              "stored response is bound to another record, or to none: it is not served for"
                  + " this key");
        }
        return response;
      }
    };
  }

  @Override
  public byte[] encode(CapturedResponse response) {
    Objects.requireNonNull(response, "response must not be null");
    if (keys == null) {
      byte[] out = serialize(response, 3);
      out[0] = MAGIC;
      out[1] = VERSION;
      out[2] = PLAIN;
      return out;
    }
    byte[] plain = serialize(response, 0);
    byte[] keyId = keys.currentKeyId().getBytes(StandardCharsets.US_ASCII);
    byte[] binding = response.binding();
    if (binding != null && binding.length != BINDING_LENGTH) {
      throw new IllegalArgumentException(
          "a storage key has " + BINDING_LENGTH + " bytes, was " + binding.length);
    }
    byte[] header = new byte[4 + keyId.length + (binding == null ? 0 : BINDING_LENGTH)];
    header[0] = MAGIC;
    header[1] = VERSION;
    header[2] = binding == null ? AES_256_GCM : AES_256_GCM_BOUND;
    header[3] = (byte) keyId.length;
    System.arraycopy(keyId, 0, header, 4, keyId.length);
    if (binding != null) {
      System.arraycopy(binding, 0, header, 4 + keyId.length, BINDING_LENGTH);
    }
    byte[] nonce = new byte[NONCE_LENGTH];
    RANDOM.nextBytes(nonce);
    byte[] sealed;
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.current(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(header);
      sealed = cipher.doFinal(plain);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM is not available on this Java platform", e);
    }
    byte[] out = new byte[header.length + NONCE_LENGTH + sealed.length];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(nonce, 0, out, header.length, NONCE_LENGTH);
    System.arraycopy(sealed, 0, out, header.length + NONCE_LENGTH, sealed.length);
    return out;
  }

  /**
   * @throws StoredResponseUnreadableException naming the cause if the bytes are not a response this
   *     codec can read
   */
  @Override
  public CapturedResponse decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes must not be null");
    if (bytes.length < 3 || bytes[0] != MAGIC) {
      throw new StoredResponseUnreadableException(
          "stored response is not in Idempo's HTTP response format (" + bytes.length + " bytes)");
    }
    if (bytes[1] != VERSION) {
      throw new StoredResponseUnreadableException(
          "stored response has HTTP response format version "
              + bytes[1]
              + "; this version of Idempo reads version "
              + VERSION);
    }
    if (bytes[2] == PLAIN) {
      if (keys != null) {
        throw new StoredResponseUnreadableException(
            "stored response is not encrypted, but encryption is on: it was not written by this"
                + " configuration, and is not trusted");
      }
      return deserialize(ByteBuffer.wrap(bytes, 3, bytes.length - 3));
    }
    if (bytes[2] != AES_256_GCM && bytes[2] != AES_256_GCM_BOUND) {
      throw new StoredResponseUnreadableException(
          "stored response has unknown encoding " + bytes[2]);
    }
    boolean bound = bytes[2] == AES_256_GCM_BOUND;
    int keyIdLength = bytes.length > 3 ? bytes[3] & 0xFF : -1;
    int headerLength = 4 + keyIdLength + (bound ? BINDING_LENGTH : 0);
    if (keyIdLength < 1 || bytes.length < headerLength + NONCE_LENGTH + TAG_BITS / 8) {
      throw new StoredResponseUnreadableException(
          "stored encrypted response is truncated (" + bytes.length + " bytes)");
    }
    String keyId = new String(bytes, 4, keyIdLength, StandardCharsets.US_ASCII);
    if (keys == null) {
      throw new StoredResponseUnreadableException(
          "stored response is encrypted with key id '"
              + keyId
              + "', but no encryption keys are configured");
    }
    SecretKey key = keys.find(keyId);
    if (key == null) {
      throw new StoredResponseUnreadableException(
          "stored response is encrypted with key id '"
              + keyId
              + "', which is not configured (configured: "
              + keys.keyIds()
              + ")");
    }
    byte[] plain;
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          key,
          new GCMParameterSpec(TAG_BITS, bytes, headerLength, NONCE_LENGTH));
      cipher.updateAAD(bytes, 0, headerLength);
      int offset = headerLength + NONCE_LENGTH;
      plain = cipher.doFinal(bytes, offset, bytes.length - offset);
    } catch (AEADBadTagException e) {
      throw new StoredResponseUnreadableException(
          "stored response failed authentication under key id '"
              + keyId
              + "': it was altered, or that id names another key than when it was written",
          e);
    } catch (GeneralSecurityException e) {
      throw new StoredResponseUnreadableException(
          "stored response could not be decrypted under key id '" + keyId + "'", e);
    }
    CapturedResponse response = deserialize(ByteBuffer.wrap(plain));
    return bound
        ? response.boundTo(Arrays.copyOfRange(bytes, 4 + keyIdLength, headerLength))
        : response;
  }

  /**
   * The response part of the stored form after {@code prefix} zero bytes the caller fills in: its
   * size is computed first, so it is written once into an array of exactly that size.
   */
  private static byte[] serialize(CapturedResponse response, int prefix) {
    Map<String, List<String>> headers = response.headers();
    long size = (long) prefix + 2 + 4 + 4 + response.bodyLength();
    int lines = 0;
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      int name = header.getKey().length(); // an HTTP token: ASCII, one byte per character
      if (name > 0xFFFF) {
        throw new IllegalArgumentException(
            "header name is too long to store (" + name + " characters)");
      }
      for (String value : header.getValue()) {
        size += 2 + name + 4 + utf8Length(value);
        lines++;
      }
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("response is too large to store (" + size + " bytes)");
    }
    byte[] bytes = new byte[(int) size];
    ByteBuffer out = ByteBuffer.wrap(bytes).position(prefix);
    out.putShort((short) response.status());
    out.putInt(lines);
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      String name = header.getKey();
      for (String value : header.getValue()) {
        out.putShort((short) name.length());
        for (int i = 0; i < name.length(); i++) {
          out.put((byte) name.charAt(i));
        }
        int length = utf8Length(value);
        out.putInt(length);
        if (length == value.length()) {
          for (int i = 0; i < length; i++) {
            out.put((byte) value.charAt(i));
          }
        } else {
          out.put(value.getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    out.putInt(response.bodyLength());
    response.copyBodyTo(out);
    return bytes;
  }

  /**
   * The length of {@code value} in UTF-8, as {@code getBytes(UTF_8)} encodes it (an unpaired
   * surrogate becomes {@code ?}), without encoding it.
   */
  static int utf8Length(String value) {
    int length = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x80) {
        length++;
      } else if (c < 0x800) {
        length += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        length += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        length++; // encoded as '?'
      } else {
        length += 3;
      }
    }
    return length;
  }

  private static CapturedResponse deserialize(ByteBuffer in) {
    try {
      CapturedResponse.Builder response = CapturedResponse.builder(in.getShort() & 0xFFFF);
      int lines = in.getInt();
      if (lines < 0) {
        throw new StoredResponseUnreadableException("stored response has a negative header count");
      }
      for (int i = 0; i < lines; i++) {
        String name = new String(take(in, in.getShort() & 0xFFFF), StandardCharsets.US_ASCII);
        String value = new String(take(in, in.getInt()), StandardCharsets.UTF_8);
        response.header(name, value);
      }
      byte[] body = take(in, in.getInt());
      if (in.hasRemaining()) {
        throw new StoredResponseUnreadableException(
            "stored response has " + in.remaining() + " unexpected bytes after the body");
      }
      return response.body(body).build();
    } catch (BufferUnderflowException e) {
      throw new StoredResponseUnreadableException("stored response is truncated", e);
    } catch (IllegalArgumentException e) {
      throw new StoredResponseUnreadableException(
          "stored response is corrupt: " + e.getMessage(), e);
    }
  }

  /** The next {@code length} bytes, checked against what is left before allocating. */
  private static byte[] take(ByteBuffer in, int length) {
    if (length < 0 || length > in.remaining()) {
      throw new StoredResponseUnreadableException(
          "stored response is truncated: a field claims "
              + length
              + " bytes, "
              + in.remaining()
              + " are left");
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return bytes;
  }

  @Override
  public String toString() {
    return keys == null ? "CapturedResponseCodec[plain]" : "CapturedResponseCodec[" + keys + "]";
  }
}
