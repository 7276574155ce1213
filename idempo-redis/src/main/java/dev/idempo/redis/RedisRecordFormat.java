package dev.idempo.redis;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimToken;
import dev.idempo.store.IdempotencyRecord;
import dev.idempo.store.RecordState;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StoredRecordUnreadableException;
import dev.idempo.store.StoredResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * The layout of a record, format version {@value #VERSION}: one Redis string, a fixed-width head
 * and a tail. The Lua scripts write and parse the same layout ({@code record.lua}).
 *
 * <table>
 *   <caption>layout</caption>
 *   <tr><th>bytes</th><th>value</th></tr>
 *   <tr><td>0</td><td>format version, {@code '2'}</td></tr>
 *   <tr><td>1</td><td>{@code P} (IN_PROGRESS) or {@code C} (COMPLETED)</td></tr>
 *   <tr><td>2–33</td><td>the 32 fingerprint bytes</td></tr>
 *   <tr><td>34–49</td><td>the 16-byte token of the claim that made the record, for abandon</td></tr>
 *   <tr><td>50–65</td><td>the current fence, 16 decimal digits</td></tr>
 *   <tr><td>66–81</td><td>lease end, server epoch milliseconds, 16 decimal digits</td></tr>
 *   <tr><td>82–97</td><td>retention in milliseconds, 16 decimal digits, so completion can restart
 *       it</td></tr>
 *   <tr><td>98–</td><td>COMPLETED: the stored response. IN_PROGRESS: empty, or the last recovery
 *       point as its name's UTF-8 length (4 decimal digits), the name and the state</td></tr>
 * </table>
 *
 * <p>The expiry is the key's own ({@code PTTL}), not a field. Format 1 was a hash with the fields
 * {@code v} ({@code "1"}), {@code state}, {@code fp}, {@code tok}, {@code fence}, {@code
 * lease_until}, {@code exp}, {@code ret}, {@code resp}, {@code rp_name}, {@code rp_state}: the
 * scripts read it as format 2 and replace it with format 2 on their next write. A string is one
 * allocation where the hash was eleven fields, and turned into a real hash table (~800 bytes) as
 * soon as a response exceeded {@code hash-max-listpack-value}; and every operation is one or two
 * commands fewer.
 */
final class RedisRecordFormat {
  static final String VERSION = "2";

  /** The prefix of the error reply a script gives for a record of another format. */
  static final String UNKNOWN_FORMAT_ERROR = "IDEMPO_FORMAT ";

  /** The prefix of the error reply a script gives for a format-1 record lacking a field. */
  static final String UNREADABLE_ERROR = "IDEMPO_UNREADABLE ";

  /** Digits of a fence, lease end or retention in the head. */
  static final int DIGITS = 16;

  private static final int STATE = 1;
  private static final int FINGERPRINT = 2;
  private static final int TOKEN = FINGERPRINT + Fingerprint.LENGTH;
  private static final int FENCE = TOKEN + ClaimToken.LENGTH;
  private static final int LEASE_UNTIL = FENCE + DIGITS;
  private static final int RETENTION = LEASE_UNTIL + DIGITS;
  private static final int HEAD = RETENTION + DIGITS;
  private static final int NAME_LENGTH_DIGITS = 4;
  private static final long MAX_DIGITS_VALUE = 9_999_999_999_999_999L;

  private RedisRecordFormat() {}

  /**
   * Decodes a record the find script read: the record in format 2, and its expiry.
   *
   * @param expiresAt the server's time plus the key's time to live
   */
  static IdempotencyRecord decode(String redisKey, byte[] value, Instant expiresAt) {
    if (value.length < HEAD) {
      throw new StoredRecordUnreadableException(
          "Redis record " + redisKey + " is " + value.length + " bytes, shorter than its head");
    }
    if (value[0] != VERSION.charAt(0)) {
      throw new UnknownRecordFormatException(
          redisKey, new String(value, 0, 1, StandardCharsets.ISO_8859_1));
    }
    RecordState state = value[STATE] == 'C' ? RecordState.COMPLETED : RecordState.IN_PROGRESS;
    Optional<StoredResponse> response = Optional.empty();
    Optional<RecoveryPoint> point = Optional.empty();
    if (state == RecordState.COMPLETED) {
      response = Optional.of(StoredResponse.of(Arrays.copyOfRange(value, HEAD, value.length)));
    } else if (value.length > HEAD) {
      int nameLength = (int) number(redisKey, value, HEAD, NAME_LENGTH_DIGITS, "recovery point");
      int name = HEAD + NAME_LENGTH_DIGITS;
      if (name + nameLength > value.length) {
        throw new StoredRecordUnreadableException(
            "Redis record " + redisKey + " has a recovery point name longer than the record");
      }
      point =
          Optional.of(
              RecoveryPoint.of(
                  new String(value, name, nameLength, StandardCharsets.UTF_8),
                  Arrays.copyOfRange(value, name + nameLength, value.length)));
    }
    return new IdempotencyRecord(
        state,
        Fingerprint.fromBytes(Arrays.copyOfRange(value, FINGERPRINT, TOKEN)),
        number(redisKey, value, FENCE, DIGITS, "fence"),
        Instant.ofEpochMilli(number(redisKey, value, LEASE_UNTIL, DIGITS, "lease end")),
        expiresAt,
        response,
        point);
  }

  /**
   * A fence as the scripts compare it: 16 zero-padded digits; a fence no record can hold (negative,
   * or over 16 digits) as plain decimal, which matches no record.
   */
  static byte[] fence(long fence) {
    if (fence < 0 || fence > MAX_DIGITS_VALUE) {
      return Long.toString(fence).getBytes(StandardCharsets.US_ASCII);
    }
    byte[] digits = new byte[DIGITS];
    long rest = fence;
    for (int i = DIGITS - 1; i >= 0; i--) {
      digits[i] = (byte) ('0' + rest % 10);
      rest /= 10;
    }
    return digits;
  }

  /** Parses the decimal digits a script replied, e.g. a claim's fence. */
  static long parseDecimal(byte[] digits) {
    return Long.parseLong(new String(digits, StandardCharsets.US_ASCII));
  }

  private static long number(String redisKey, byte[] value, int from, int length, String name) {
    long result = 0;
    for (int i = from; i < from + length; i++) {
      int digit = value[i] - '0';
      if (digit < 0 || digit > 9) {
        throw new StoredRecordUnreadableException(
            "Redis record " + redisKey + " has a non-decimal " + name);
      }
      result = result * 10 + digit;
    }
    return result;
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
