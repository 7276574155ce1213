package dev.idempo.http;

import static dev.idempo.http.TenantSourceTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.tck.MutableClock;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JWT tenant source trusts a claim only after the JDK checked its signature against the key
 * set: keys are generated here, the set is served from a file and from a loopback HTTP server.
 */
class JwtTenantSourceTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private static KeyPair rsa;
  private static KeyPair rsaOther;
  private static KeyPair p256;
  private static KeyPair p384;
  private static KeyPair ed25519;
  private static KeySetServer server;
  private static final AtomicReference<String> served = new AtomicReference<>();
  private static final AtomicInteger fetches = new AtomicInteger();

  @TempDir static Path directory;

  private final MutableClock clock = new MutableClock(NOW);

  @BeforeAll
  static void keysAndServer() throws Exception {
    KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
    rsaGenerator.initialize(2048);
    rsa = rsaGenerator.generateKeyPair();
    rsaOther = rsaGenerator.generateKeyPair();
    p256 = ec("secp256r1");
    p384 = ec("secp384r1");
    ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    server = new KeySetServer();
  }

  @AfterAll
  static void stopServer() throws IOException {
    server.close();
  }

  /**
   * A loopback HTTP/1.0 server answering every request with the served key set, one connection at a
   * time (the JDK's own server lives in a module this one does not read).
   */
  private static final class KeySetServer implements AutoCloseable {
    private final java.net.ServerSocket socket;
    private final Thread thread = new Thread(this::serve, "jwks-server");

    KeySetServer() throws IOException {
      socket = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void serve() {
      while (!socket.isClosed()) {
        try (java.net.Socket connection = socket.accept()) {
          java.io.BufferedReader in =
              new java.io.BufferedReader(
                  new java.io.InputStreamReader(
                      connection.getInputStream(), StandardCharsets.US_ASCII));
          String line;
          while ((line = in.readLine()) != null && !line.isEmpty()) {
            // the request line and headers: every request gets the key set
          }
          fetches.incrementAndGet();
          byte[] body = served.get().getBytes(StandardCharsets.UTF_8);
          OutputStream out = connection.getOutputStream();
          out.write(
              ("HTTP/1.0 200 OK\r\nContent-Type: application/jwk-set+json\r\nContent-Length: "
                      + body.length
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.write(body);
          out.flush();
        } catch (IOException e) {
          // closed, or a client that went away
        }
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec(curve));
    return generator.generateKeyPair();
  }

  // --- JWKs and tokens, written here independently of the code under test ---

  private static String rsaJwk(String kid, KeyPair pair, String alg) {
    RSAPublicKey key = (RSAPublicKey) pair.getPublic();
    return "{\"kty\":\"RSA\",\"kid\":\""
        + kid
        + "\",\"use\":\"sig\""
        + (alg == null ? "" : ",\"alg\":\"" + alg + "\"")
        + ",\"n\":\""
        + unsigned(key.getModulus(), 0)
        + "\",\"e\":\""
        + unsigned(key.getPublicExponent(), 0)
        + "\"}";
  }

  private static String ecJwk(String kid, KeyPair pair, String crv, int size) {
    ECPublicKey key = (ECPublicKey) pair.getPublic();
    return "{\"kty\":\"EC\",\"kid\":\""
        + kid
        + "\",\"crv\":\""
        + crv
        + "\",\"x\":\""
        + unsigned(key.getW().getAffineX(), size)
        + "\",\"y\":\""
        + unsigned(key.getW().getAffineY(), size)
        + "\"}";
  }

  private static String edJwk(String kid, KeyPair pair) {
    byte[] encoded = pair.getPublic().getEncoded();
    byte[] x = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    return "{\"kty\":\"OKP\",\"kid\":\""
        + kid
        + "\",\"crv\":\"Ed25519\",\"x\":\""
        + B64.encodeToString(x)
        + "\"}";
  }

  private static String unsigned(BigInteger value, int size) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    if (size > bytes.length) {
      byte[] padded = new byte[size];
      System.arraycopy(bytes, 0, padded, size - bytes.length, bytes.length);
      bytes = padded;
    }
    return B64.encodeToString(bytes);
  }

  private static String keySet(String... jwks) {
    return "{\"keys\":[" + String.join(",", jwks) + "]}";
  }

  private static String allKeys() {
    return keySet(
        rsaJwk("rsa-1", rsa, null),
        ecJwk("p256-1", p256, "P-256", 32),
        ecJwk("p384-1", p384, "P-384", 48),
        edJwk("ed-1", ed25519),
        rsaJwk("rsa-384-only", rsaOther, "RS384"));
  }

  private static String claims(String extra) {
    long now = NOW.getEpochSecond();
    return "{\"sub\":\"alice\",\"iss\":\"https://issuer.example/\",\"aud\":[\"payments\",\"ledger\"],"
        + "\"iat\":"
        + now
        + ",\"exp\":"
        + (now + 600)
        + (extra.isEmpty() ? "" : "," + extra)
        + "}";
  }

  private static String token(String alg, String kid, PrivateKey key, String claims)
      throws Exception {
    String header =
        "{\"alg\":\""
            + alg
            + "\",\"typ\":\"JWT\""
            + (kid == null ? "" : ",\"kid\":\"" + kid + "\"")
            + "}";
    return sign(header, claims, alg, key);
  }

  private static String sign(String header, String claims, String alg, PrivateKey key)
      throws Exception {
    String input =
        B64.encodeToString(header.getBytes(StandardCharsets.UTF_8))
            + "."
            + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    String jdk =
        switch (alg) {
          case "RS256" -> "SHA256withRSA";
          case "RS384" -> "SHA384withRSA";
          case "RS512" -> "SHA512withRSA";
          case "ES256" -> "SHA256withECDSAinP1363Format";
          case "ES384" -> "SHA384withECDSAinP1363Format";
          case "EdDSA" -> "Ed25519";
          default -> throw new IllegalArgumentException(alg);
        };
    Signature signer = Signature.getInstance(jdk);
    signer.initSign(key);
    signer.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + B64.encodeToString(signer.sign());
  }

  private JwtTenantSource.Builder fromFile(String keySet) throws IOException {
    Path file = Files.createTempFile(directory, "jwks", ".json");
    Files.writeString(file, keySet);
    return JwtTenantSource.builder("sub", file.toUri()).clock(clock);
  }

  private static String bearer(JwtTenantSource source, String token) {
    return source.tenant(request("Authorization", "Bearer " + token));
  }

  // --- the checks ---

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"RS256", "RS384", "RS512", "ES256", "ES384", "EdDSA"})
  void aValidTokenOfEachAlgorithmNamesItsSubject(String alg) throws Exception {
    JwtTenantSource source = fromFile(allKeys()).build();
    String kid;
    PrivateKey key;
    switch (alg) {
      case "ES256" -> {
        kid = "p256-1";
        key = p256.getPrivate();
      }
      case "ES384" -> {
        kid = "p384-1";
        key = p384.getPrivate();
      }
      case "EdDSA" -> {
        kid = "ed-1";
        key = ed25519.getPrivate();
      }
      default -> {
        kid = "rsa-1";
        key = rsa.getPrivate();
      }
    }

    assertEquals("alice", bearer(source, token(alg, kid, key, claims(""))));
    assertEquals(
        "alice",
        bearer(source, token(alg, null, key, claims(""))),
        "no kid: every fitting key is tried");
  }

  @Test
  void aBadSignatureIsNoTenant() throws Exception {
    JwtTenantSource source = fromFile(allKeys()).build();
    String genuine = token("RS256", "rsa-1", rsa.getPrivate(), claims(""));
    String[] parts = genuine.split("\\.", -1);
    String forged =
        parts[0]
            + "."
            + B64.encodeToString(
                claims("").replace("alice", "mallory").getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[2];

    assertEquals("alice", bearer(source, genuine));
    assertEquals("", bearer(source, forged), "a claim changed after signing");
    assertEquals(
        "",
        bearer(source, token("RS256", "rsa-1", rsaOther.getPrivate(), claims(""))),
        "signed by a key not in the set");
    assertEquals("", bearer(source, parts[0] + "." + parts[1] + "."), "no signature");
  }

  @Test
  void anUnsignedTokenIsNoTenant() throws Exception {
    JwtTenantSource source = fromFile(allKeys()).build();
    String unsigned =
        B64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
            + "."
            + B64.encodeToString(claims("").getBytes(StandardCharsets.UTF_8))
            + ".";

    assertEquals("", bearer(source, unsigned));
    assertEquals("", bearer(source, unsigned.replace("bm9uZ", "Tm9uZ")), "alg None");
  }

  @Test
  void anAlgorithmThatDoesNotFitTheKeyIsNoTenant() throws Exception {
    JwtTenantSource source = fromFile(allKeys()).build();
    // HS256 with the RSA public key as the HMAC secret: the classic key-confusion forgery.
    String header =
        B64.encodeToString(
            "{\"alg\":\"HS256\",\"kid\":\"rsa-1\"}".getBytes(StandardCharsets.UTF_8));
    String payload = B64.encodeToString(claims("").getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(rsa.getPublic().getEncoded(), "HmacSHA256"));
    String hmac =
        B64.encodeToString(
            mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII)));

    assertEquals("", bearer(source, header + "." + payload + "." + hmac));
    assertEquals(
        "",
        bearer(source, token("ES256", "rsa-1", p256.getPrivate(), claims(""))),
        "ES256 against an RSA key");
    assertEquals(
        "",
        bearer(source, token("ES384", "p256-1", p384.getPrivate(), claims(""))),
        "ES384 against a P-256 key");
    assertEquals(
        "",
        bearer(source, token("RS256", "rsa-384-only", rsaOther.getPrivate(), claims(""))),
        "the JWK allows only RS384");
    assertEquals(
        "alice", bearer(source, token("RS384", "rsa-384-only", rsaOther.getPrivate(), claims(""))));
  }

  @Test
  void expiryAndNotBeforeAreCheckedWithTheClockSkew() throws Exception {
    JwtTenantSource source = fromFile(allKeys()).build();
    long now = NOW.getEpochSecond();
    String expiredJustNow =
        token(
            "RS256",
            "rsa-1",
            rsa.getPrivate(),
            claims("").replaceAll("\"exp\":\\d+", "\"exp\":" + (now - 30)));
    String expired =
        token(
            "RS256",
            "rsa-1",
            rsa.getPrivate(),
            claims("").replaceAll("\"exp\":\\d+", "\"exp\":" + (now - 61)));
    String noExpiry =
        token("RS256", "rsa-1", rsa.getPrivate(), claims("").replaceAll(",\"exp\":\\d+", ""));
    String notYet = token("RS256", "rsa-1", rsa.getPrivate(), claims("\"nbf\":" + (now + 120)));
    String almost = token("RS256", "rsa-1", rsa.getPrivate(), claims("\"nbf\":" + (now + 30)));

    assertEquals("alice", bearer(source, expiredJustNow), "within 60 s of skew");
    assertEquals("", bearer(source, expired));
    assertEquals("", bearer(source, noExpiry), "exp is required");
    assertEquals("", bearer(source, notYet));
    assertEquals("alice", bearer(source, almost));
    clock.advance(Duration.ofMinutes(11));
    assertEquals(
        "",
        bearer(source, token("RS256", "rsa-1", rsa.getPrivate(), claims(""))),
        "expired as time passed");
  }

  @Test
  void issuerAndAudienceAreCheckedWhenConfigured() throws Exception {
    String token = token("ES256", "p256-1", p256.getPrivate(), claims(""));

    assertEquals(
        "alice",
        bearer(
            fromFile(allKeys()).issuer("https://issuer.example/").audience("ledger").build(),
            token));
    assertEquals("", bearer(fromFile(allKeys()).issuer("https://evil.example/").build(), token));
    assertEquals("", bearer(fromFile(allKeys()).audience("admin").build(), token));
    String single =
        token(
            "ES256",
            "p256-1",
            p256.getPrivate(),
            claims("").replace("[\"payments\",\"ledger\"]", "\"payments\""));
    assertEquals("alice", bearer(fromFile(allKeys()).audience("payments").build(), single));
  }

  @Test
  void anUnknownKidIsNoTenant() throws Exception {
    JwtTenantSource source = fromFile(keySet(rsaJwk("rsa-1", rsa, null))).build();

    assertEquals("", bearer(source, token("RS256", "rsa-2", rsa.getPrivate(), claims(""))));
  }

  @Test
  void theKeySetIsFetchedFromAUrlAndANewKidIsFetchedAgainAtMostEvery30Seconds() throws Exception {
    served.set(keySet(rsaJwk("rsa-1", rsa, null)));
    URI url = URI.create("http://127.0.0.1:" + server.port() + "/jwks.json");
    JwtTenantSource source =
        (JwtTenantSource)
            TenantSource.parse("jwt:sub?jwks=" + url + "&iss=https://issuer.example/");
    JwtTenantSource clocked = JwtTenantSource.builder("sub", url).clock(clock).build();
    int before = fetches.get();

    long inTenMinutes =
        Instant.now().getEpochSecond() + 600; // the parsed source reads the system clock
    assertEquals(
        "alice",
        bearer(
            source,
            token(
                "RS256",
                "rsa-1",
                rsa.getPrivate(),
                claims("").replaceAll("\"exp\":\\d+", "\"exp\":" + inTenMinutes))));
    assertEquals("alice", bearer(clocked, token("RS256", "rsa-1", rsa.getPrivate(), claims(""))));
    String rotated = token("EdDSA", "ed-2", ed25519.getPrivate(), claims(""));
    assertEquals("", bearer(clocked, rotated), "not in the set yet");
    served.set(keySet(rsaJwk("rsa-1", rsa, null), edJwk("ed-2", ed25519)));
    assertEquals("", bearer(clocked, rotated), "read again at most every 30 s");
    int afterMisses = fetches.get();
    clock.advance(Duration.ofSeconds(30));

    assertEquals("alice", bearer(clocked, rotated));
    assertEquals(
        2, afterMisses - before, "one read per source at first use, none for the unknown kid yet");
    assertEquals(afterMisses + 1, fetches.get());
  }

  @Test
  void anUnreachableKeySetIsNoTenantNotAnError() throws Exception {
    int closed;
    try (java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    JwtTenantSource source =
        JwtTenantSource.builder("sub", URI.create("http://127.0.0.1:" + closed + "/jwks.json"))
            .build();

    assertEquals("", bearer(source, token("RS256", "rsa-1", rsa.getPrivate(), claims(""))));
  }

  @Test
  void theTokenMayComeFromACookieOrAnotherHeader() throws Exception {
    String token = token("RS256", "rsa-1", rsa.getPrivate(), claims(""));

    assertEquals(
        "alice",
        fromFile(allKeys())
            .tokenCookie("id_token")
            .build()
            .tenant(request("Cookie", "a=b; id_token=" + token)));
    assertEquals(
        "alice",
        fromFile(allKeys()).tokenHeader("X-Id-Token").build().tenant(request("X-Id-Token", token)));
    JwtTenantSource bearerOnly = fromFile(allKeys()).build();
    assertEquals("", bearerOnly.tenant(request("Authorization", "Basic " + token)));
    assertEquals(
        "",
        bearerOnly.tenant(request("Authorization", "Bearer " + token, "Authorization", "Bearer x")),
        "two tokens");
    assertEquals("", bearerOnly.tenant(request()));
  }

  @Test
  void otherMalformedTokensAreNoTenant() throws Exception {
    JwtTenantSource source = fromFile(allKeys()).build();
    String crit =
        sign(
            "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"crit\":[\"exp\"]}",
            claims(""),
            "RS256",
            rsa.getPrivate());
    String duplicate =
        sign(
            "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}",
            claims("\"sub\":\"mallory\""),
            "RS256",
            rsa.getPrivate());
    String numeric =
        token(
            "RS256",
            "rsa-1",
            rsa.getPrivate(),
            claims("").replace("\"sub\":\"alice\"", "\"sub\":42"));

    assertEquals("", bearer(source, crit));
    assertEquals("", bearer(source, duplicate), "a claim given twice");
    assertEquals("42", bearer(source, numeric));
    for (String junk : List.of("", "a.b", "a.b.c.d", "!!!.???.***", "e30.e30.e30")) {
      assertEquals("", bearer(source, junk), junk);
    }
  }

  @Test
  void aKeySetFileIsCheckedWhenTheSourceIsBuilt() throws Exception {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> fromFile("{\"keys\":42}").build());
    assertTrue(e.getMessage().contains("is not a valid JWK Set"), e.getMessage());
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(1024);
    KeyPair small = generator.generateKeyPair();
    JwtTenantSource smallKeysSkipped = fromFile(keySet(rsaJwk("small", small, null))).build();
    assertEquals(
        "",
        bearer(smallKeysSkipped, token("RS256", "small", small.getPrivate(), claims(""))),
        "under 2048 bits");
  }
}
