package dev.idempo.http;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Optional;

/**
 * The JWS signature algorithms a {@link JwtTenantSource} accepts (RFC 7518, RFC 8037), each with
 * the key type it needs and the JDK signature that checks it. {@code none} and the HMAC algorithms
 * are not here: an unsigned token proves nothing, and a shared secret has no place in a public key
 * set. Immutable.
 */
enum JwsAlgorithm {
  RS256("RSA", null, "SHA256withRSA"),
  RS384("RSA", null, "SHA384withRSA"),
  RS512("RSA", null, "SHA512withRSA"),
  PS256("RSA", null, "RSASSA-PSS"),
  PS384("RSA", null, "RSASSA-PSS"),
  PS512("RSA", null, "RSASSA-PSS"),
  ES256("EC", "P-256", "SHA256withECDSAinP1363Format"),
  ES384("EC", "P-384", "SHA384withECDSAinP1363Format"),
  ES512("EC", "P-521", "SHA512withECDSAinP1363Format"),
  EdDSA("OKP", null, null);

  private final String keyType;
  private final String curve; // null: any curve of the key type
  private final String jdkName; // null: the key's own curve names it (Ed25519, Ed448)

  JwsAlgorithm(String keyType, String curve, String jdkName) {
    this.keyType = keyType;
    this.curve = curve;
    this.jdkName = jdkName;
  }

  /** The algorithm named {@code alg} in a JWS header, if accepted. */
  static Optional<JwsAlgorithm> named(String alg) {
    for (JwsAlgorithm algorithm : values()) {
      if (algorithm.name().equals(alg)) {
        return Optional.of(algorithm);
      }
    }
    return Optional.empty();
  }

  /** True when {@code key} may check this algorithm: its type, curve and declared alg agree. */
  boolean fits(JsonWebKey key) {
    return key.keyType().equals(keyType)
        && (curve == null || curve.equals(key.curve()))
        && (key.algorithm() == null || key.algorithm().equals(name()));
  }

  /**
   * True when {@code signature} is this algorithm's signature of {@code input} under {@code key}.
   */
  boolean verify(JsonWebKey key, byte[] input, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance(jdkName != null ? jdkName : key.curve());
      switch (this) {
        case PS256 -> verifier.setParameter(pss("SHA-256", MGF1ParameterSpec.SHA256, 32));
        case PS384 -> verifier.setParameter(pss("SHA-384", MGF1ParameterSpec.SHA384, 48));
        case PS512 -> verifier.setParameter(pss("SHA-512", MGF1ParameterSpec.SHA512, 64));
        default -> {}
      }
      PublicKey publicKey = key.publicKey();
      verifier.initVerify(publicKey);
      verifier.update(input);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false; // a malformed signature is a bad signature
    }
  }

  private static PSSParameterSpec pss(String digest, MGF1ParameterSpec mgf, int saltLength) {
    return new PSSParameterSpec(digest, "MGF1", mgf, saltLength, 1);
  }
}
