package dev.idempo.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The versioned encoding of an outcome in a stored response: magic byte, format version, kind,
 * then the kind's payload. VALUE carries the codec's bytes; FAILURE the failure's class name and
 * message (each length-prefixed UTF-8); OUTCOME_UNKNOWN nothing.
 */
public final class Envelope {
  public static final byte MAGIC = (byte) 0xD1;
  public static final byte VERSION = 1;

  public enum Kind {
    VALUE,
    FAILURE,
    OUTCOME_UNKNOWN
  }

  private final Kind kind;
  private final byte[] payload;

  private Envelope(Kind kind, byte[] payload) {
    this.kind = kind;
    this.payload = payload;
  }

  public static byte[] value(byte[] value) {
    return encode(Kind.VALUE, value);
  }

  public static byte[] failure(Throwable failure) {
    byte[] type = failure.getClass().getName().getBytes(StandardCharsets.UTF_8);
    String message = failure.getMessage() == null ? "" : failure.getMessage();
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    if (text.length > 4096) {
      text = java.util.Arrays.copyOf(text, 4096);
    }
    ByteBuffer buffer = ByteBuffer.allocate(8 + type.length + text.length);
    buffer.putInt(type.length).put(type).putInt(text.length).put(text);
    return encode(Kind.FAILURE, buffer.array());
  }

  public static byte[] outcomeUnknown() {
    return encode(Kind.OUTCOME_UNKNOWN, new byte[0]);
  }

  private static byte[] encode(Kind kind, byte[] payload) {
    byte[] bytes = new byte[3 + payload.length];
    bytes[0] = MAGIC;
    bytes[1] = VERSION;
    bytes[2] = (byte) kind.ordinal();
    System.arraycopy(payload, 0, bytes, 3, payload.length);
    return bytes;
  }

  /**
   * Reads an envelope.
   *
   * @throws IllegalStateException naming the problem if the bytes are not an envelope this
   *     version reads
   */
  public static Envelope decode(byte[] bytes) {
    if (bytes.length < 3 || bytes[0] != MAGIC) {
      throw new IllegalStateException(
          "stored response is not in Idempo's outcome format (" + bytes.length + " bytes)");
    }
    if (bytes[1] != VERSION) {
      throw new IllegalStateException(
          "stored response has outcome format version "
              + bytes[1]
              + "; this version of Idempo reads version "
              + VERSION);
    }
    Kind[] kinds = Kind.values();
    if (bytes[2] < 0 || bytes[2] >= kinds.length) {
      throw new IllegalStateException("stored response has unknown outcome kind " + bytes[2]);
    }
    byte[] payload = new byte[bytes.length - 3];
    System.arraycopy(bytes, 3, payload, 0, payload.length);
    return new Envelope(kinds[bytes[2]], payload);
  }

  public Kind kind() {
    return kind;
  }

  public byte[] payload() {
    return payload;
  }

  /** For FAILURE: {class name, message}. */
  public String[] failure() {
    ByteBuffer buffer = ByteBuffer.wrap(payload);
    byte[] type = new byte[buffer.getInt()];
    buffer.get(type);
    byte[] text = new byte[buffer.getInt()];
    buffer.get(text);
    return new String[] {
      new String(type, StandardCharsets.UTF_8), new String(text, StandardCharsets.UTF_8)
    };
  }
}
