package dev.idempo.gateway;

import static dev.idempo.gateway.GatewayTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.InMemoryIdempotencyStore;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, item 2, through the gateway: callers without Authorization (cookie or API-key
 * authentication) shared one key space, so a second caller sending the first caller's key and
 * request got the first caller's stored response. Now the gateway refuses a keyed request whose
 * tenant it cannot determine, unless started with {@code --tenant none}.
 */
class TenantTest {
  private final List<AutoCloseable> closing = new ArrayList<>();
  private TestUpstream upstream;

  @TempDir Path directory;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
    closing.add(upstream);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private Requests gateway(Consumer<GatewayConfig.Builder> settings) {
    GatewayConfig.Builder config =
        TestEngine.builder(upstream.uri())
            .listen("127.0.0.1", 0)
            .store(InMemoryIdempotencyStore.create());
    settings.accept(config);
    Gateway gateway = new Gateway(config.build());
    closing.add(gateway);
    gateway.start();
    return new Requests(gateway.uri());
  }

  @Test
  void callersWithoutAuthorizationNoLongerShareOneKeySpace() throws Exception {
    Requests gateway = gateway(config -> {});

    HttpResponse<String> alice =
        gateway.post(
            "/orders", "order-1", "{}", Requests.ANONYMOUS, "1", "Cookie", "session=alice");
    HttpResponse<String> mallory =
        gateway.post(
            "/orders", "order-1", "{}", Requests.ANONYMOUS, "1", "Cookie", "session=mallory");

    assertProblem(alice, 400, "tenant-required");
    assertProblem(mallory, 400, "tenant-required");
    assertEquals(Optional.empty(), mallory.headers().firstValue("Idempotent-Replayed"));
    assertTrue(mallory.body().contains("--tenant"), mallory.body());
    assertEquals(0, upstream.executions(), "nothing reaches the upstream without a tenant");
  }

  @Test
  void anAbsentTenantHeaderNoLongerSharesOneKeySpace() throws Exception {
    Requests gateway = gateway(config -> config.tenant("header:X-User-Id"));

    assertProblem(gateway.post("/orders", "order-2", "{}"), 400, "tenant-required");
    assertEquals(201, gateway.post("/orders", "order-2", "{}", "X-User-Id", "alice").statusCode());
    assertEquals(201, gateway.post("/orders", "order-2", "{}", "X-User-Id", "bob").statusCode());
    assertEquals(2, upstream.executions());
  }

  @Test
  void requestsWithoutAKeyStillPassThroughWithoutATenant() throws Exception {
    Requests gateway = gateway(config -> {});

    assertEquals(201, gateway.post("/orders", null, "{}", Requests.ANONYMOUS, "1").statusCode());
    assertEquals(1, upstream.executions());
  }

  @Test
  void aCookieTenantKeepsSessionsApart() throws Exception {
    Requests gateway = gateway(config -> config.tenant("cookie:session"));

    HttpResponse<String> alice =
        gateway.post("/orders", "order-3", "{}", "Cookie", "session=alice");
    HttpResponse<String> bob = gateway.post("/orders", "order-3", "{}", "Cookie", "session=bob");
    HttpResponse<String> aliceAgain =
        gateway.post("/orders", "order-3", "{}", "Cookie", "session=alice");

    assertEquals("{\"execution\":1}", alice.body());
    assertEquals("{\"execution\":2}", bob.body());
    assertEquals(alice.body(), aliceAgain.body());
    assertEquals(Optional.of("true"), aliceAgain.headers().firstValue("Idempotent-Replayed"));
  }

  @Test
  void tenantNoneIsOneSharedKeySpaceOnlyWhenChosen() throws Exception {
    Requests gateway = gateway(config -> config.tenant("none"));

    HttpResponse<String> first = gateway.post("/orders", "order-4", "{}", Requests.ANONYMOUS, "1");
    HttpResponse<String> other =
        gateway.post("/orders", "order-4", "{}", Requests.ANONYMOUS, "1", "Cookie", "s=x");

    assertEquals(201, first.statusCode());
    assertEquals(first.body(), other.body());
    assertEquals(Optional.of("true"), other.headers().firstValue("Idempotent-Replayed"));
  }

  @Test
  void aVerifiedJwtSubjectIsTheTenantAndAForgedOneIsRefused() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair issuer = generator.generateKeyPair();
    KeyPair forger = generator.generateKeyPair();
    Path jwks = directory.resolve("jwks.json");
    RSAPublicKey key = (RSAPublicKey) issuer.getPublic();
    Files.writeString(
        jwks,
        "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"n\":\""
            + unsigned(key.getModulus())
            + "\",\"e\":\""
            + unsigned(key.getPublicExponent())
            + "\"}]}");
    Requests gateway =
        gateway(config -> config.tenant("jwt:sub?jwks=" + jwks.toUri() + "&aud=orders"));

    String alice = jwt(issuer, "alice");
    HttpResponse<String> first =
        gateway.post("/orders", "order-5", "{}", "Authorization", "Bearer " + alice);
    HttpResponse<String> refreshed =
        gateway.post("/orders", "order-5", "{}", "Authorization", "Bearer " + jwt(issuer, "alice"));
    HttpResponse<String> forged =
        gateway.post("/orders", "order-5", "{}", "Authorization", "Bearer " + jwt(forger, "alice"));
    HttpResponse<String> bob =
        gateway.post("/orders", "order-5", "{}", "Authorization", "Bearer " + jwt(issuer, "bob"));

    assertEquals(201, first.statusCode());
    assertEquals(
        first.body(), refreshed.body(), "a refreshed token of the same subject is the same tenant");
    assertEquals(Optional.of("true"), refreshed.headers().firstValue("Idempotent-Replayed"));
    assertProblem(forged, 400, "tenant-required");
    assertEquals("{\"execution\":2}", bob.body());
  }

  private static int serial;

  /** An RS256 token for {@code subject}, valid for ten minutes; each one differs (its jti). */
  private static String jwt(KeyPair key, String subject) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    long now = Instant.now().getEpochSecond();
    String header =
        b64.encodeToString("{\"alg\":\"RS256\",\"kid\":\"k1\"}".getBytes(StandardCharsets.UTF_8));
    String claims =
        b64.encodeToString(
            ("{\"sub\":\""
                    + subject
                    + "\",\"aud\":\"orders\",\"jti\":\""
                    + ++serial
                    + "\",\"exp\":"
                    + (now + 600)
                    + "}")
                .getBytes(StandardCharsets.UTF_8));
    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(key.getPrivate());
    signer.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
    return header + "." + claims + "." + b64.encodeToString(signer.sign());
  }

  private static String unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
