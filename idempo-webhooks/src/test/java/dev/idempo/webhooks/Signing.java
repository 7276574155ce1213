package dev.idempo.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Test-side signing with the JDK only, independent of the verifiers under test. */
final class Signing {
  private Signing() {}

  static byte[] hmac(String algorithm, byte[] key, String message) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key, algorithm));
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** A Stripe-Signature header for {@code payload} at {@code timestamp} under {@code secret}. */
  static String stripeHeader(String secret, long timestamp, String payload) {
    byte[] mac =
        hmac("HmacSHA256", secret.getBytes(StandardCharsets.UTF_8), timestamp + "." + payload);
    return "t=" + timestamp + ",v1=" + hex(mac);
  }

  /** A Standard Webhooks v1 signature for a whsec_ secret. */
  static String standardV1(String whsec, String id, long timestamp, String payload) {
    byte[] key = Base64.getDecoder().decode(whsec.substring("whsec_".length()));
    return "v1," + base64(hmac("HmacSHA256", key, id + "." + timestamp + "." + payload));
  }

  /** An X-Hub-Signature-256 value. */
  static String gitHubHeader(String secret, String payload) {
    return "sha256=" + hex(hmac("HmacSHA256", secret.getBytes(StandardCharsets.UTF_8), payload));
  }
}
