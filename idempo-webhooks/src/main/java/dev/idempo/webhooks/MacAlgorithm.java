package dev.idempo.webhooks;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMACs webhook senders use, computed by the JDK's {@link Mac}; signatures compared with {@link
 * MessageDigest#isEqual}, which takes the same time wherever the first difference lies.
 */
enum MacAlgorithm {
  HMAC_SHA1("HmacSHA1"),
  HMAC_SHA256("HmacSHA256"),
  HMAC_SHA384("HmacSHA384"),
  HMAC_SHA512("HmacSHA512");

  private final String jdkName;

  MacAlgorithm(String jdkName) {
    this.jdkName = jdkName;
  }

  /**
   * The algorithm with JDK name {@code name} ({@code HmacSHA256}, case-insensitive).
   *
   * @throws IllegalArgumentException naming the value if it is not one of them
   */
  static MacAlgorithm named(String name) {
    for (MacAlgorithm algorithm : values()) {
      if (algorithm.jdkName.equalsIgnoreCase(name)) {
        return algorithm;
      }
    }
    throw new IllegalArgumentException(
        "algorithm must be one of HmacSHA1, HmacSHA256, HmacSHA384, HmacSHA512, was \""
            + name
            + "\"");
  }

  String jdkName() {
    return jdkName;
  }

  /** The MAC of the concatenated {@code parts} under {@code key}. */
  byte[] sign(byte[] key, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance(jdkName);
      mac.init(new SecretKeySpec(key, jdkName));
      for (byte[] part : parts) {
        mac.update(part);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      // Every JDK ships these algorithms and any non-empty key is valid for them.
      throw new IllegalStateException(jdkName + " unavailable in this JDK", e);
    }
  }

  /** True if any of {@code candidates} equals {@code expected}, compared in constant time. */
  static boolean anyMatches(byte[] expected, List<byte[]> candidates) {
    boolean match = false;
    for (byte[] candidate : candidates) {
      // No early exit: every candidate is compared, so timing says nothing about which matched.
      match |= MessageDigest.isEqual(expected, candidate);
    }
    return match;
  }

  @Override
  public String toString() {
    return jdkName.toLowerCase(Locale.ROOT);
  }
}
