package dev.idempo.store;

import java.util.Arrays;

/**
 * The last step a multi-step operation committed, saved on its IN_PROGRESS record so that a
 * takeover can resume after that step instead of guessing (see {@link
 * dev.idempo.TakeoverPolicy#RESUME}).
 *
 * <p>Immutable and thread-safe.
 */
public final class RecoveryPoint {
  /** The longest step name accepted, in characters. */
  public static final int MAX_NAME_LENGTH = 255;

  /** The most state bytes accepted. */
  public static final int MAX_STATE_BYTES = 64 * 1024;

  private final String name;
  private final byte[] state;

  private RecoveryPoint(String name, byte[] state) {
    this.name = name;
    this.state = state;
  }

  /**
   * A recovery point.
   *
   * @param name the step just committed, 1 to {@value #MAX_NAME_LENGTH} characters
   * @param state what the next step needs (an id the step created, say), at most {@value
   *     #MAX_STATE_BYTES} bytes; may be empty
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is empty or too long, or {@code state} too
   *     large
   */
  public static RecoveryPoint of(String name, byte[] state) {
    dev.idempo.internal.Checks.notEmpty(name, "recovery point name", MAX_NAME_LENGTH);
    dev.idempo.internal.Checks.notNull(state, "recovery point state");
    if (state.length > MAX_STATE_BYTES) {
      throw new IllegalArgumentException(
          "recovery point state must be at most "
              + MAX_STATE_BYTES
              + " bytes, was "
              + state.length);
    }
    return new RecoveryPoint(name, state.clone());
  }

  public String name() {
    return name;
  }

  /** A copy of the state bytes. */
  public byte[] state() {
    return state.clone();
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof RecoveryPoint that)) {
      return false;
    }
    return name.equals(that.name) && Arrays.equals(state, that.state);
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + Arrays.hashCode(state);
  }

  @Override
  public String toString() {
    return "RecoveryPoint[" + name + ", " + state.length + " bytes]";
  }
}
