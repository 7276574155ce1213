package dev.idempo.client;

import java.time.Duration;
import java.util.Objects;

/** Argument checks whose messages name the argument and the limit it broke. */
final class Checks {
  /** The longest operation id a journal accepts, in characters. */
  static final int MAX_OPERATION_ID_LENGTH = 512;

  private Checks() {}

  static <T> T notNull(T value, String name) {
    return Objects.requireNonNull(value, () -> name + " must not be null");
  }

  static Duration positiveAtMost(Duration value, Duration max, String name) {
    notNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
    if (value.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be at most " + max + ", was " + value);
    }
    return value;
  }

  static Duration notNegativeAtMost(Duration value, Duration max, String name) {
    notNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, was " + value);
    }
    if (value.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be at most " + max + ", was " + value);
    }
    return value;
  }

  static int inRange(int value, int min, int max, String name) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  static double inRange(double value, double min, double max, String name) {
    if (!(value >= min && value <= max)) { // also refuses NaN
      throw new IllegalArgumentException(
          name + " must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  /** 1 to 512 characters, no control characters: it names a file entry and a table row. */
  static String operationId(String operationId) {
    notNull(operationId, "operationId");
    if (operationId.isEmpty()) {
      throw new IllegalArgumentException("operationId must not be empty");
    }
    if (operationId.length() > MAX_OPERATION_ID_LENGTH) {
      throw new IllegalArgumentException(
          "operationId must be at most "
              + MAX_OPERATION_ID_LENGTH
              + " characters, was "
              + operationId.length());
    }
    for (int i = 0; i < operationId.length(); i++) {
      if (Character.isISOControl(operationId.charAt(i))) {
        throw new IllegalArgumentException(
            "operationId must not hold control characters; character at index "
                + i
                + " is 0x"
                + Integer.toHexString(operationId.charAt(i)));
      }
    }
    return operationId;
  }
}
