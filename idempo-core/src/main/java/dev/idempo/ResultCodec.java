package dev.idempo;

import java.nio.charset.StandardCharsets;

/**
 * Turns a result into the bytes a store keeps, and back, so a replay returns what the first run
 * returned. Implementations must be thread-safe and must decode every value they encoded.
 */
public interface ResultCodec<R> {
  byte[] encode(R value);

  R decode(byte[] bytes);

  /** Stores byte arrays as they are. */
  static ResultCodec<byte[]> bytes() {
    return new ResultCodec<>() {
      @Override
      public byte[] encode(byte[] value) {
        return value.clone();
      }

      @Override
      public byte[] decode(byte[] bytes) {
        return bytes;
      }
    };
  }

  /** Stores strings as UTF-8. */
  static ResultCodec<String> utf8() {
    return new ResultCodec<>() {
      @Override
      public byte[] encode(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public String decode(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
      }
    };
  }
}
