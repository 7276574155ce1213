package dev.idempo.http;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * One SHA-256 digest per thread, reused for every hash that thread computes: {@code
 * MessageDigest.getInstance} looks the provider up and instantiates it reflectively, and even a
 * clone allocates the digest's ~400 bytes of state; per request on a hot path that is garbage for
 * nothing. Callers must finish a hash ({@link MessageDigest#digest()}, which resets it) before
 * starting another on the same thread, and never hand the digest to another thread. Thread-safe in
 * that sense: each thread has its own.
 */
final class ThreadSha256 {
  private static final ThreadLocal<MessageDigest> DIGEST =
      ThreadLocal.withInitial(ThreadSha256::newDigest);

  private ThreadSha256() {}

  /** This thread's digest, reset: nothing hashed yet. */
  static MessageDigest get() {
    MessageDigest digest = DIGEST.get();
    digest.reset(); // in case a caller failed half-way through a hash
    return digest;
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must support SHA-256", e);
    }
  }
}
