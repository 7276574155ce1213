package dev.idempo.internal;

import dev.idempo.OutcomeUnknownException;
import dev.idempo.StoredFailureException;
import dev.idempo.store.StoredRecordUnreadableException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The versioned byte format of an outcome in a {@link dev.idempo.store.StoredResponse}, shared by
 * every execution mode so each replays the others' records: a magic byte ({@code 0xD1}), the format
 * version, the kind, then the kind's payload. VALUE carries the {@link dev.idempo.ResultCodec}'s
 * bytes; FAILURE the failure's class name and message (each length-prefixed UTF-8; messages are cut
 * at 4 KiB); OUTCOME_UNKNOWN nothing.
 *
 * <p>Not API: exported only to {@code dev.idempo.jdbc}, whose transactional mode writes and reads
 * the same records. Immutable and thread-safe.
 */
public final class StoredOutcome {
  private static final byte MAGIC = (byte) 0xD1;
  private static final byte VERSION = 1;
  private static final int MAX_MESSAGE_BYTES = 4096;

  /** What an outcome records. */
  public enum Kind {
    /** The work's result. */
    VALUE(0),
    /** The work's failure, stored by the policy. */
    FAILURE(1),
    /** The work may or may not have taken effect. */
    OUTCOME_UNKNOWN(2);

    // The stored byte: fixed per kind, so reordering the constants never changes the format.
    private final byte code;

    Kind(int code) {
      this.code = (byte) code;
    }
  }

  private final Kind kind;
  private final byte[] payload;

  private StoredOutcome(Kind kind, byte[] payload) {
    this.kind = kind;
    this.payload = payload;
  }

  /** Encodes a result's bytes. */
  public static byte[] encodeValue(byte[] value) {
    if (value == null) {
      throw new NullPointerException("value must not be null");
    }
    return encode(Kind.VALUE, value);
  }

  /** Encodes a failure by its class name and message. */
  public static byte[] encodeFailure(Throwable failure) {
    if (failure == null) {
      throw new NullPointerException("failure must not be null");
    }
    byte[] type = failure.getClass().getName().getBytes(StandardCharsets.UTF_8);
    String message = failure.getMessage() == null ? "" : failure.getMessage();
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    if (text.length > MAX_MESSAGE_BYTES) {
      text = Arrays.copyOf(text, MAX_MESSAGE_BYTES);
    }
    ByteBuffer buffer = ByteBuffer.allocate(8 + type.length + text.length);
    buffer.putInt(type.length).put(type).putInt(text.length).put(text);
    return encode(Kind.FAILURE, buffer.array());
  }

  /** Encodes "outcome unknown". */
  public static byte[] encodeOutcomeUnknown() {
    return encode(Kind.OUTCOME_UNKNOWN, new byte[0]);
  }

  private static byte[] encode(Kind kind, byte[] payload) {
    byte[] bytes = new byte[3 + payload.length];
    bytes[0] = MAGIC;
    bytes[1] = VERSION;
    bytes[2] = kind.code;
    System.arraycopy(payload, 0, bytes, 3, payload.length);
    return bytes;
  }

  /**
   * Reads an outcome.
   *
   * @throws StoredRecordUnreadableException naming the problem if the bytes are not an outcome this
   *     version reads (another format, another version, a truncated failure)
   */
  public static StoredOutcome decode(byte[] bytes) {
    if (bytes == null) {
      throw new NullPointerException("bytes must not be null");
    }
    if (bytes.length < 3 || bytes[0] != MAGIC) {
      throw new StoredRecordUnreadableException(
          "stored response is not in Idempo's outcome format (" + bytes.length + " bytes)");
    }
    if (bytes[1] != VERSION) {
      throw new StoredRecordUnreadableException(
          "stored response has outcome format version "
              + bytes[1]
              + "; this version of Idempo reads version "
              + VERSION);
    }
    Kind kind = null;
    for (Kind each : Kind.values()) {
      if (each.code == bytes[2]) {
        kind = each;
      }
    }
    if (kind == null) {
      throw new StoredRecordUnreadableException(
          "stored response has unknown outcome kind " + bytes[2]);
    }
    StoredOutcome outcome = new StoredOutcome(kind, Arrays.copyOfRange(bytes, 3, bytes.length));
    if (outcome.kind == Kind.FAILURE) {
      outcome.failureParts(); // fail now on a truncated failure, not at first use
    }
    return outcome;
  }

  public Kind kind() {
    return kind;
  }

  /**
   * The result's bytes, as a replay returns them; for any other kind, throws what a replay throws.
   *
   * @throws StoredFailureException for a stored failure
   * @throws OutcomeUnknownException for an unknown outcome
   */
  public byte[] valueOrThrow() {
    switch (kind) {
      case VALUE -> {
        return payload.clone();
      }
      case FAILURE -> {
        String[] failure = failureParts();
        throw new StoredFailureException(failure[0], failure[1]);
      }
      default -> throw new OutcomeUnknownException(true);
    }
  }

  private String[] failureParts() {
    try {
      ByteBuffer buffer = ByteBuffer.wrap(payload);
      byte[] type = new byte[buffer.getInt()];
      buffer.get(type);
      byte[] text = new byte[buffer.getInt()];
      buffer.get(text);
      return new String[] {
        new String(type, StandardCharsets.UTF_8), new String(text, StandardCharsets.UTF_8)
      };
    } catch (BufferUnderflowException | NegativeArraySizeException e) {
      throw new StoredRecordUnreadableException(
          "stored failure is truncated (" + payload.length + " bytes)", e);
    }
  }

  @Override
  public String toString() {
    return "StoredOutcome[" + kind + ", " + payload.length + " bytes]";
  }
}
