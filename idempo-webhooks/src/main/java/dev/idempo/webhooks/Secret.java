package dev.idempo.webhooks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * A signing secret or key, read from an environment variable, a file or a string. Its {@link
 * #toString()} names where it came from ({@code Secret[env:STRIPE_SECRET]}), never the value, so
 * logging a configuration never leaks it.
 *
 * <p>Immutable and thread-safe.
 */
public final class Secret {
  /** The longest secret accepted: 64 KiB (PEM certificates fit; anything longer is a mistake). */
  public static final int MAX_BYTES = 64 * 1024;

  private final byte[] value;
  private final String origin;

  private Secret(byte[] value, String origin) {
    if (value.length == 0) {
      throw new IllegalArgumentException("secret from " + origin + " is empty");
    }
    if (value.length > MAX_BYTES) {
      throw new IllegalArgumentException(
          "secret from " + origin + " is longer than " + MAX_BYTES + " bytes");
    }
    this.value = value;
    this.origin = origin;
  }

  /**
   * A secret given as text (its UTF-8 bytes), e.g. a test key; prefer {@link #fromEnvironment} or
   * {@link #fromFile} in production so the secret stays out of source code.
   *
   * @throws IllegalArgumentException if {@code value} is empty
   */
  public static Secret of(String value) {
    Objects.requireNonNull(value, "value must not be null");
    return new Secret(value.getBytes(StandardCharsets.UTF_8), "inline");
  }

  /**
   * The value of environment variable {@code name}.
   *
   * @throws IllegalArgumentException naming the variable if it is unset or empty
   */
  public static Secret fromEnvironment(String name) {
    return fromEnvironment(name, System.getenv());
  }

  static Secret fromEnvironment(String name, Map<String, String> environment) {
    Objects.requireNonNull(name, "name must not be null");
    String value = environment.get(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("environment variable " + name + " is not set");
    }
    return new Secret(value.getBytes(StandardCharsets.UTF_8), "env:" + name);
  }

  /**
   * The contents of {@code file}, without one trailing line break ({@code echo secret > file}
   * writes one).
   *
   * @throws IllegalArgumentException naming the file if it cannot be read or is empty
   */
  public static Secret fromFile(Path file) {
    Objects.requireNonNull(file, "file must not be null");
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES + 2) {
        throw new IllegalArgumentException(
            "secret file " + file + " is longer than " + MAX_BYTES + " bytes");
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "secret file " + file + " cannot be read: " + e, new UncheckedIOException(e));
    }
    int length = bytes.length;
    if (length > 0 && bytes[length - 1] == '\n') {
      length--;
      if (length > 0 && bytes[length - 1] == '\r') {
        length--;
      }
    }
    return new Secret(Arrays.copyOf(bytes, length), "file:" + file);
  }

  /**
   * Reads a secret named as {@code env:NAME} or {@code file:PATH}, the form configuration files and
   * command-line flags use.
   *
   * @throws IllegalArgumentException if {@code spec} has neither prefix, or the secret cannot be
   *     read
   */
  public static Secret parse(String spec) {
    Objects.requireNonNull(spec, "spec must not be null");
    if (spec.startsWith("env:")) {
      return fromEnvironment(spec.substring(4));
    }
    if (spec.startsWith("file:")) {
      return fromFile(Path.of(spec.substring(5)));
    }
    // The value is not echoed: it may be the secret itself, given by mistake.
    throw new IllegalArgumentException(
        "a secret is named env:VARIABLE or file:PATH, never given inline; the value given has"
            + " neither prefix");
  }

  /** Where the secret came from: {@code inline}, {@code env:NAME} or {@code file:PATH}. */
  public String origin() {
    return origin;
  }

  /** The secret's bytes; for verifiers in this package only, never copied out. */
  byte[] bytes() {
    return value;
  }

  /** The secret as UTF-8 text. */
  String text() {
    return new String(value, StandardCharsets.UTF_8);
  }

  /** Names the origin only: {@code Secret[env:STRIPE_SECRET]}. */
  @Override
  public String toString() {
    return "Secret[" + origin + "]";
  }
}
