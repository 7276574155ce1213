package dev.idempo.http;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An HTTP response held in memory: status, headers and body. What a handler answered (captured by a
 * server adapter), what the store keeps for replay ({@link CapturedResponseCodec}), and what {@link
 * HttpIdempotency} answers itself (replays and problems).
 *
 * <p>Header names are case-insensitive and keep the spelling they were first added with; a name may
 * carry several values, kept in order. {@code Content-Length} is never meaningful here: adapters
 * write the body's length.
 *
 * <p>Immutable and thread-safe: the body is copied in and out.
 */
public final class CapturedResponse {
  private final int status;
  private final Map<String, List<String>> headers;
  private final byte[] body;

  /** True for the problem stored in place of a response too large to store; never released. */
  private final boolean standIn;

  /**
   * The storage key the stored form is bound to (authenticated with it when encrypted), or null:
   * bookkeeping between {@link HttpAttempt}, {@link CapturedResponseCodec} and {@link
   * HttpIdempotency}, no part of the response.
   */
  private final byte[] binding;

  private CapturedResponse(
      int status, Map<String, List<String>> headers, byte[] body, boolean standIn) {
    this(status, headers, body, standIn, null);
  }

  private CapturedResponse(
      int status, Map<String, List<String>> headers, byte[] body, boolean standIn, byte[] binding) {
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.standIn = standIn;
    this.binding = binding;
  }

  /**
   * A builder for a response with {@code status}.
   *
   * @throws IllegalArgumentException if {@code status} is not between 100 and 599
   */
  public static Builder builder(int status) {
    return new Builder(status);
  }

  /** A builder starting from this response's status, headers and body. */
  public Builder toBuilder() {
    Builder builder = new Builder(status);
    headers.forEach((name, values) -> values.forEach(value -> builder.header(name, value)));
    builder.body = body;
    return builder;
  }

  public int status() {
    return status;
  }

  /** Every header, by case-insensitive name, each with its values in order. Unmodifiable. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The values of header {@code name} (any case), in order; empty if absent. */
  public List<String> headers(String name) {
    Objects.requireNonNull(name, "name must not be null");
    return headers.getOrDefault(name, List.of());
  }

  /** The first value of header {@code name} (any case). */
  public Optional<String> header(String name) {
    List<String> values = headers(name);
    return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** A copy of the body. */
  public byte[] body() {
    return body.clone();
  }

  public int bodyLength() {
    return body.length;
  }

  /** Writes the body to {@code out} without copying it. */
  public void writeBodyTo(OutputStream out) throws IOException {
    out.write(body);
  }

  /** Puts the body into {@code out} without copying it first. */
  void copyBodyTo(java.nio.ByteBuffer out) {
    out.put(body);
  }

  /**
   * This response with header {@code name} set to {@code value} alone, replacing its values.
   *
   * @throws IllegalArgumentException if the name is not an HTTP token or the value holds CR, LF or
   *     another control character
   */
  public CapturedResponse withHeader(String name, String value) {
    Builder builder = new Builder(status);
    headers.forEach(
        (existing, values) -> {
          if (!existing.equalsIgnoreCase(name)) {
            values.forEach(v -> builder.header(existing, v));
          }
        });
    builder.header(name, value);
    builder.body = body;
    return builder.build(standIn);
  }

  boolean isStandIn() {
    return standIn;
  }

  CapturedResponse asStandIn() {
    return new CapturedResponse(status, headers, body, true, binding);
  }

  /**
   * This response with {@code headers} (an unmodifiable case-insensitive map of unmodifiable lists,
   * already checked) in place of its own, sharing the body.
   */
  CapturedResponse withHeaderMap(Map<String, List<String>> headers) {
    return new CapturedResponse(status, headers, body, standIn, binding);
  }

  /** This response, bound to the record stored under {@code storageKey}. */
  CapturedResponse boundTo(byte[] storageKey) {
    return new CapturedResponse(status, headers, body, standIn, storageKey.clone());
  }

  /** The storage key this response is bound to, or null if it is not bound. */
  byte[] binding() {
    return binding == null ? null : binding.clone();
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof CapturedResponse that)) {
      return false;
    }
    return status == that.status && headers.equals(that.headers) && Arrays.equals(body, that.body);
  }

  @Override
  public int hashCode() {
    int headersHash = 0;
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      headersHash +=
          header.getKey().toLowerCase(java.util.Locale.ROOT).hashCode()
              ^ header.getValue().hashCode();
    }
    return Objects.hash(status, headersHash, Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    return "CapturedResponse[" + status + ", " + headers.keySet() + ", " + body.length + " bytes]";
  }

  /**
   * RFC 9110 {@code tchar}: bit {@code c % 64} of the first word for chars below 64, else the
   * second.
   */
  private static final long[] TCHARS = tchars();

  private static long[] tchars() {
    long[] bits = new long[2];
    String tchars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for (int i = 0; i < tchars.length(); i++) {
      char c = tchars.charAt(i);
      bits[c >>> 6] |= 1L << c;
    }
    return bits;
  }

  /** True if {@code name} is an HTTP token: one or more {@code tchar}s (checked per header). */
  static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      // A shift by c uses its low six bits: the bit of c within its word.
      if (c >= 128 || (TCHARS[c >>> 6] & (1L << c)) == 0) {
        return false;
      }
    }
    return true;
  }

  static void checkHeader(String name, String value) {
    Objects.requireNonNull(name, "header name must not be null");
    Objects.requireNonNull(value, () -> "value of header " + name + " must not be null");
    if (!isToken(name)) {
      throw new IllegalArgumentException("header name must be an HTTP token, was \"" + name + "\"");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7F) {
        throw new IllegalArgumentException(
            "value of header "
                + name
                + " must not hold control characters (CR, LF, ...); character at index "
                + i
                + " is 0x"
                + Integer.toHexString(c));
      }
    }
  }

  /** Collects a response. Not thread-safe. */
  public static final class Builder {
    private final int status;
    private Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private byte[] body = new byte[0];

    /** True once {@link #build()} handed {@link #headers} to a response: copy before changing. */
    private boolean headersShared;

    private Builder(int status) {
      if (status < 100 || status > 599) {
        throw new IllegalArgumentException("status must be between 100 and 599, was " + status);
      }
      this.status = status;
    }

    /**
     * Adds a value to header {@code name}.
     *
     * @throws IllegalArgumentException if the name is not an HTTP token or the value holds CR, LF
     *     or another control character (a header injection)
     */
    public Builder header(String name, String value) {
      checkHeader(name, value);
      if (headersShared) {
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((existing, values) -> copy.put(existing, new ArrayList<>(values)));
        headers = copy;
        headersShared = false;
      }
      headers.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
      return this;
    }

    /** Sets the body to a copy of {@code body}. */
    public Builder body(byte[] body) {
      this.body = Objects.requireNonNull(body, "body must not be null").clone();
      return this;
    }

    /** Sets the body to a copy of {@code length} bytes of {@code body} from {@code offset}. */
    public Builder body(byte[] body, int offset, int length) {
      Objects.requireNonNull(body, "body must not be null");
      Objects.checkFromIndexSize(offset, length, body.length);
      this.body = Arrays.copyOfRange(body, offset, offset + length);
      return this;
    }

    public CapturedResponse build() {
      return build(false);
    }

    /**
     * Hands this builder's header map to the response instead of copying it (each response used to
     * cost a second map): its lists are made unmodifiable, and a later {@link #header} copies the
     * map first, so a built response never changes.
     */
    private CapturedResponse build(boolean standIn) {
      if (!headersShared) {
        headers.replaceAll((name, values) -> Collections.unmodifiableList(values));
        headersShared = true;
      }
      return new CapturedResponse(status, Collections.unmodifiableMap(headers), body, standIn);
    }
  }
}
