package dev.idempo.http;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One public signing key of a JSON Web Key Set (RFC 7517): RSA (2048 bits or more), EC on P-256,
 * P-384 or P-521, or OKP Ed25519 / Ed448 (RFC 8037), turned into a JDK {@link PublicKey} by its
 * {@link KeyFactory}. Immutable.
 *
 * @param keyId the {@code kid}, or null
 * @param keyType {@code RSA}, {@code EC} or {@code OKP}
 * @param curve the {@code crv} of EC and OKP keys, else null
 * @param algorithm the {@code alg} the key is restricted to, or null
 */
record JsonWebKey(
    String keyId, String keyType, String curve, String algorithm, PublicKey publicKey) {
  private static final int MIN_RSA_BITS = 2048;

  /** The DER prefix of an X.509 SubjectPublicKeyInfo for each Edwards curve, before the key. */
  private static final Map<String, byte[]> EDWARDS_PREFIXES =
      Map.of(
          "Ed25519", HexFormat.of().parseHex("302a300506032b6570032100"),
          "Ed448", HexFormat.of().parseHex("3043300506032b6571033a00"));

  private static final Map<String, Integer> EDWARDS_LENGTHS = Map.of("Ed25519", 32, "Ed448", 57);
  private static final Map<String, String> EC_CURVES =
      Map.of("P-256", "secp256r1", "P-384", "secp384r1", "P-521", "secp521r1");

  /**
   * The signing keys of the set {@code json}; keys of other types or uses, and RSA keys under 2048
   * bits, are skipped.
   *
   * @throws IllegalArgumentException if {@code json} is not a JWK Set or a key of a supported type
   *     is malformed
   */
  static List<JsonWebKey> parseSet(String json) {
    Object keys = JsonReader.object(json).get("keys");
    if (!(keys instanceof List<?> list)) {
      throw new IllegalArgumentException("a JWK Set is an object with a \"keys\" array");
    }
    List<JsonWebKey> parsed = new ArrayList<>();
    for (Object entry : list) {
      if (!(entry instanceof Map<?, ?> jwk)) {
        throw new IllegalArgumentException("every member of \"keys\" must be an object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> members = (Map<String, Object>) jwk;
      parse(members).ifPresent(parsed::add);
    }
    return List.copyOf(parsed);
  }

  private static Optional<JsonWebKey> parse(Map<String, Object> jwk) {
    String use = text(jwk, "use");
    if (use != null && !use.equals("sig")) {
      return Optional.empty();
    }
    String kid = text(jwk, "kid");
    String alg = text(jwk, "alg");
    String kty = text(jwk, "kty");
    try {
      if ("RSA".equals(kty)) {
        PublicKey key =
            KeyFactory.getInstance("RSA")
                .generatePublic(new RSAPublicKeySpec(unsigned(jwk, "n"), unsigned(jwk, "e")));
        if (((RSAPublicKey) key).getModulus().bitLength() < MIN_RSA_BITS) {
          return Optional.empty();
        }
        return Optional.of(new JsonWebKey(kid, kty, null, alg, key));
      }
      if ("EC".equals(kty)) {
        String crv = text(jwk, "crv");
        String jdkCurve = EC_CURVES.get(crv);
        if (jdkCurve == null) {
          return Optional.empty();
        }
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec(jdkCurve));
        ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
        int size = (spec.getCurve().getField().getFieldSize() + 7) / 8;
        ECPoint point = new ECPoint(coordinate(jwk, "x", size), coordinate(jwk, "y", size));
        PublicKey key =
            KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, spec));
        return Optional.of(new JsonWebKey(kid, kty, crv, alg, key));
      }
      if ("OKP".equals(kty)) {
        String crv = text(jwk, "crv");
        byte[] prefix = EDWARDS_PREFIXES.get(crv);
        if (prefix == null) {
          return Optional.empty();
        }
        byte[] x = bytes(jwk, "x");
        if (x.length != EDWARDS_LENGTHS.get(crv)) {
          throw new IllegalArgumentException(
              crv + " key \"x\" must be " + EDWARDS_LENGTHS.get(crv) + " bytes");
        }
        byte[] der = new byte[prefix.length + x.length];
        System.arraycopy(prefix, 0, der, 0, prefix.length);
        System.arraycopy(x, 0, der, prefix.length, x.length);
        PublicKey key = KeyFactory.getInstance(crv).generatePublic(new X509EncodedKeySpec(der));
        return Optional.of(new JsonWebKey(kid, kty, crv, alg, key));
      }
      return Optional.empty(); // oct (shared secrets) and unknown types are never used
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "JWK "
              + (kid == null ? "" : "\"" + kid + "\" ")
              + "is not a valid "
              + kty
              + " key: "
              + e.getMessage(),
          e);
    }
  }

  private static String text(Map<String, Object> jwk, String name) {
    Object value = jwk.get(name);
    if (value != null && !(value instanceof String)) {
      throw new IllegalArgumentException("JWK member \"" + name + "\" must be a string");
    }
    return (String) value;
  }

  private static byte[] bytes(Map<String, Object> jwk, String name) {
    String value = text(jwk, name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(
          "JWK of type " + jwk.get("kty") + " needs \"" + name + "\"");
    }
    try {
      return Base64.getUrlDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("JWK member \"" + name + "\" is not base64url", e);
    }
  }

  private static BigInteger unsigned(Map<String, Object> jwk, String name) {
    return new BigInteger(1, bytes(jwk, name));
  }

  private static BigInteger coordinate(Map<String, Object> jwk, String name, int size) {
    byte[] bytes = bytes(jwk, name);
    if (bytes.length != size) {
      throw new IllegalArgumentException(
          "JWK member \"" + name + "\" must be " + size + " bytes for " + jwk.get("crv"));
    }
    return new BigInteger(1, bytes);
  }
}
