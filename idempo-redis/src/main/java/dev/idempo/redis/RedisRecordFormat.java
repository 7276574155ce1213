package dev.idempo.redis;

import dev.idempo.Fingerprint;
import dev.idempo.store.IdempotencyRecord;
import dev.idempo.store.RecordState;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StoredRecordUnreadableException;
import dev.idempo.store.StoredResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The layout of a record's hash, format version {@value #VERSION}; the Lua scripts write the same
 * fields.
 *
 * <table>
 *   <caption>fields</caption>
 *   <tr><th>field</th><th>value</th></tr>
 *   <tr><td>v</td><td>format version, {@code "1"}</td></tr>
 *   <tr><td>state</td><td>{@code P} (IN_PROGRESS) or {@code C} (COMPLETED)</td></tr>
 *   <tr><td>fp</td><td>the 32 fingerprint bytes</td></tr>
 *   <tr><td>fence</td><td>the current fence, decimal</td></tr>
 *   <tr><td>tok</td><td>the 16-byte token of the claim that made the record, for abandon</td></tr>
 *   <tr><td>lease_until</td><td>lease end, server epoch milliseconds, decimal</td></tr>
 *   <tr><td>exp</td><td>expiry, server epoch milliseconds (the key's PEXPIREAT), decimal</td></tr>
 *   <tr><td>ret</td><td>retention in milliseconds, decimal, so completion can restart it</td></tr>
 *   <tr><td>resp</td><td>the stored response bytes, once COMPLETED</td></tr>
 *   <tr><td>rp_name, rp_state</td><td>the last recovery point, while IN_PROGRESS</td></tr>
 * </table>
 */
final class RedisRecordFormat {
  static final String VERSION = "1";

  /** The prefix of the error reply a script gives for a record of another format. */
  static final String UNKNOWN_FORMAT_ERROR = "IDEMPO_FORMAT ";

  private RedisRecordFormat() {}

  /** Decodes an {@code HGETALL} reply; empty if the key does not exist. */
  static Optional<IdempotencyRecord> decode(String redisKey, Map<byte[], byte[]> hash) {
    if (hash == null || hash.isEmpty()) {
      return Optional.empty();
    }
    Map<String, byte[]> fields = new HashMap<>();
    hash.forEach((name, value) -> fields.put(new String(name, StandardCharsets.UTF_8), value));
    byte[] version = fields.get("v");
    if (version == null || !VERSION.equals(text(version))) {
      throw new UnknownRecordFormatException(redisKey, version == null ? null : text(version));
    }
    RecordState state =
        "C".equals(text(required(redisKey, fields, "state")))
            ? RecordState.COMPLETED
            : RecordState.IN_PROGRESS;
    byte[] response = fields.get("resp");
    byte[] recoveryName = fields.get("rp_name");
    return Optional.of(
        new IdempotencyRecord(
            state,
            Fingerprint.fromBytes(required(redisKey, fields, "fp")),
            number(redisKey, fields, "fence"),
            Instant.ofEpochMilli(number(redisKey, fields, "lease_until")),
            Instant.ofEpochMilli(number(redisKey, fields, "exp")),
            state == RecordState.COMPLETED && response != null
                ? Optional.of(StoredResponse.of(response))
                : Optional.empty(),
            state == RecordState.IN_PROGRESS && recoveryName != null
                ? Optional.of(
                    RecoveryPoint.of(
                        text(recoveryName), fields.getOrDefault("rp_state", new byte[0])))
                : Optional.empty()));
  }

  private static byte[] required(String redisKey, Map<String, byte[]> fields, String name) {
    byte[] value = fields.get(name);
    if (value == null) {
      throw new StoredRecordUnreadableException(
          "Redis record " + redisKey + " of format version " + VERSION + " lacks field " + name);
    }
    return value;
  }

  private static long number(String redisKey, Map<String, byte[]> fields, String name) {
    String value = text(required(redisKey, fields, name));
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new StoredRecordUnreadableException(
          "Redis record " + redisKey + " has a non-integer " + name + ": " + value, e);
    }
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
