package dev.idempo.http;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Fresh SHA-256 digests cloned from one prototype: {@code MessageDigest.getInstance} looks the
 * provider up and instantiates it reflectively on every call, a clone copies a few words.
 * Thread-safe.
 */
final class Sha256Prototype {
  private static final MessageDigest PROTOTYPE = newDigest();

  private Sha256Prototype() {}

  /** A new SHA-256 digest with nothing hashed yet. */
  static MessageDigest copy() {
    try {
      return (MessageDigest) PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return newDigest();
    }
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must support SHA-256", e);
    }
  }
}
