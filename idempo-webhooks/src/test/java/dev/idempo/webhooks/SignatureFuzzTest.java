package dev.idempo.webhooks;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.http.CapturedResponse;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.tck.MutableClock;
import dev.idempo.testsupport.PayPalCertificate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the signature headers of every scheme with a seeded {@link Random} (set {@code
 * -Didempo.fuzz.seed=N} to replay a printed seed): malformed, truncated, repeated, wrong scheme,
 * huge values, flipped characters, other timestamps. Never an exception out of the receiver, never
 * a 5xx, never a handler run.
 */
class SignatureFuzzTest {
  private static final String STRIPE_SECRET = "whsec_fuzz_stripe";
  private static final String SW_SECRET =
      "whsec_" + Base64.getEncoder().encodeToString("fuzz standard webhooks!".getBytes(UTF_8));
  private static final String GITHUB_SECRET = "fuzz github";
  private static final String HMAC_SECRET = "fuzz hmac";
  private static final String PAYPAL_WEBHOOK = "WH-FUZZ-1";
  private static final String JUNK =
      "aZ09+/=,; -_.:tv1=sha256\u0000\u0001\t\r\n\u00e9\u4e2d\ud83d\ude00\"\\{}[]%";

  @TempDir static Path directory;
  private static PayPalCertificate paypal;

  private final MutableClock clock =
      new MutableClock(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
  private final AtomicInteger runs = new AtomicInteger();
  private final CountingListener listener = new CountingListener();
  private WebhookReceiver receiver;

  @BeforeAll
  static void makeCertificate() throws Exception {
    paypal = PayPalCertificate.generate(directory, "paypal", 30);
  }

  private WebhookReceiver receiver() {
    WebhookHandler handler = event -> runs.incrementAndGet();
    return WebhookReceiver.builder(InMemoryIdempotencyStore.builder().clock(clock).build())
        .endpoint("/stripe", StripeVerifier.builder(Secret.of(STRIPE_SECRET)).build(), handler)
        .endpoint(
            "/sw", StandardWebhooksVerifier.builder().secret(Secret.of(SW_SECRET)).build(), handler)
        .endpoint("/github", GitHubVerifier.builder(Secret.of(GITHUB_SECRET)).build(), handler)
        .endpoint(
            "/paypal",
            PayPalVerifier.builder(PAYPAL_WEBHOOK).certificate(paypal.certificate()).build(),
            handler)
        .endpoint(
            "/hmac",
            HmacVerifier.builder("acme", "X-Acme-Signature", Secret.of(HMAC_SECRET))
                .encoding(HmacVerifier.Encoding.BASE64)
                .timestampHeader("X-Acme-Timestamp")
                .signedPayload("{timestamp}.{body}")
                .eventIdJsonField("id")
                .build(),
            handler)
        .listener(listener)
        .clock(clock)
        .build();
  }

  /** A delivery to one endpoint and the headers whose every change must refuse it. */
  private record Delivery(
      String path, Map<String, List<String>> headers, String body, List<String> signatureHeaders) {}

  private Delivery delivery(String path, String eventId, boolean rightSecret) throws Exception {
    long t = clock.instant().getEpochSecond();
    String body = "{\"id\":\"" + eventId + "\",\"amount\":1000}";
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    switch (path) {
      case "/stripe" -> {
        headers.put(
            "Stripe-Signature",
            List.of(Signing.stripeHeader(rightSecret ? STRIPE_SECRET : "whsec_x", t, body)));
        return new Delivery(path, headers, body, List.of("Stripe-Signature"));
      }
      case "/sw" -> {
        headers.put("webhook-id", List.of(eventId));
        headers.put("webhook-timestamp", List.of(Long.toString(t)));
        headers.put(
            "webhook-signature",
            List.of(Signing.standardV1(rightSecret ? SW_SECRET : "whsec_AAAA", eventId, t, body)));
        return new Delivery(
            path, headers, body, List.of("webhook-id", "webhook-timestamp", "webhook-signature"));
      }
      case "/github" -> {
        headers.put("X-GitHub-Delivery", List.of(eventId));
        headers.put(
            "X-Hub-Signature-256",
            List.of(Signing.gitHubHeader(rightSecret ? GITHUB_SECRET : "other", body)));
        return new Delivery(path, headers, body, List.of("X-Hub-Signature-256"));
      }
      case "/paypal" -> {
        String time = clock.instant().toString();
        String id = "tx-" + eventId;
        headers.put("PAYPAL-TRANSMISSION-ID", List.of(id));
        headers.put("PAYPAL-TRANSMISSION-TIME", List.of(time));
        headers.put("PAYPAL-AUTH-ALGO", List.of("SHA256withRSA"));
        headers.put(
            "PAYPAL-TRANSMISSION-SIG",
            List.of(paypal.sign(id, time, rightSecret ? PAYPAL_WEBHOOK : "WH-OTHER", body)));
        return new Delivery(
            path,
            headers,
            body,
            List.of(
                "PAYPAL-TRANSMISSION-ID",
                "PAYPAL-TRANSMISSION-TIME",
                "PAYPAL-TRANSMISSION-SIG",
                "PAYPAL-AUTH-ALGO"));
      }
      default -> {
        byte[] key = (rightSecret ? HMAC_SECRET : "nope").getBytes(StandardCharsets.UTF_8);
        headers.put("X-Acme-Timestamp", List.of(Long.toString(t)));
        headers.put(
            "X-Acme-Signature",
            List.of(Signing.base64(Signing.hmac("HmacSHA256", key, t + "." + body))));
        return new Delivery(path, headers, body, List.of("X-Acme-Signature", "X-Acme-Timestamp"));
      }
    }
  }

  private static final List<String> PATHS =
      List.of("/stripe", "/sw", "/github", "/paypal", "/hmac");

  @Test
  void everyMutatedSignatureHeaderIsRefusedWithoutAnExceptionA5xxOrAHandlerRun() throws Exception {
    long seed = Long.getLong("idempo.fuzz.seed", new Random().nextLong());
    System.out.println(
        "SignatureFuzzTest seed: " + seed + " (replay with -Didempo.fuzz.seed=" + seed + ")");
    Random random = new Random(seed);
    receiver = receiver();
    // Sanity: the unmutated deliveries are valid, so every refusal below is the mutation's doing.
    for (String path : PATHS) {
      assertEquals(200, send(delivery(path, "evt_valid", true), seed).status(), path);
    }
    runs.set(0);
    for (int i = 0; i < 3000; i++) {
      String path = PATHS.get(random.nextInt(PATHS.size()));
      boolean rightSecret = random.nextInt(4) != 0;
      Delivery delivery = delivery(path, "evt_" + i, rightSecret);
      List<String> names = delivery.signatureHeaders();
      String header = names.get(random.nextInt(names.size()));
      int mutations = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
      List<String> original = delivery.headers().get(header);
      for (int m = 0; m < mutations; m++) {
        mutate(delivery.headers(), header, random);
      }
      while (sameValues(original, delivery.headers().get(header))) {
        mutate(delivery.headers(), header, random); // a later mutation undid an earlier one
      }
      CapturedResponse answer = send(delivery, seed);
      assertTrue(
          Set.of(400, 401, 413).contains(answer.status()),
          "seed "
              + seed
              + ", case "
              + i
              + " "
              + path
              + " "
              + header
              + "="
              + shown(delivery.headers().get(header))
              + ": "
              + answer.status()
              + " "
              + new String(answer.body(), StandardCharsets.UTF_8));
      assertEquals("application/problem+json", answer.header("Content-Type").orElseThrow());
    }
    assertEquals(0, runs.get(), "seed " + seed + ": a handler ran");
    assertEquals(PATHS.size(), listener.count("verified"), "seed " + seed);
  }

  /** Valid signatures over random bodies: the JSON id reader never throws. */
  @Test
  void randomSignedBodiesAreAnsweredWithoutAnExceptionOrA5xx() throws Exception {
    long seed = Long.getLong("idempo.fuzz.seed", new Random().nextLong());
    System.out.println("SignatureFuzzTest bodies seed: " + seed);
    Random random = new Random(seed);
    receiver = receiver();
    String[] pieces = {
      "{",
      "}",
      "[",
      "]",
      "\"id\"",
      ":",
      ",",
      "\"evt_",
      "\\u12",
      "\\",
      "\"",
      "null",
      "1e9",
      "-",
      " ",
      "{\"id\":",
      "\"a\"",
      "\u00e9",
      "true",
      "\ud800"
    };
    for (int i = 0; i < 2000; i++) {
      StringBuilder body = new StringBuilder();
      int length = random.nextInt(30);
      for (int p = 0; p < length; p++) {
        body.append(pieces[random.nextInt(pieces.length)]);
      }
      if (random.nextInt(10) == 0) {
        body.append("[".repeat(5000)); // deeper than any parser should recurse
      }
      String text = body.toString();
      Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      headers.put(
          "Stripe-Signature",
          List.of(Signing.stripeHeader(STRIPE_SECRET, clock.instant().getEpochSecond(), text)));
      CapturedResponse answer = send(new Delivery("/stripe", headers, text, List.of()), seed);
      assertTrue(
          answer.status() == 200 || answer.status() == 400,
          "seed " + seed + ", body " + text + ": " + answer.status());
    }
  }

  private static boolean sameValues(List<String> original, List<String> now) {
    if (now == null || now.size() != original.size()) {
      return false;
    }
    for (int i = 0; i < now.size(); i++) {
      if (!WebhookRequest.stripOptionalWhitespace(now.get(i))
          .equals(WebhookRequest.stripOptionalWhitespace(original.get(i)))) {
        return false;
      }
    }
    return true;
  }

  private static String shown(List<String> values) {
    String text = String.valueOf(values);
    return text.length() > 300 ? text.substring(0, 300) + "…" : text;
  }

  private CapturedResponse send(Delivery delivery, long seed) {
    try {
      return receiver.receive(
          WebhookRequest.of(
              "POST",
              delivery.path(),
              delivery.headers(),
              delivery.body().getBytes(StandardCharsets.UTF_8)));
    } catch (RuntimeException e) {
      throw new AssertionError("seed " + seed + ": an exception escaped for " + delivery, e);
    }
  }

  /**
   * One change to header {@code name} that can never leave a valid delivery: it changes the value
   * beyond the spaces and tabs HTTP strips, and damages whatever it keeps.
   */
  private static void mutate(Map<String, List<String>> headers, String name, Random random) {
    List<String> values = headers.get(name);
    String value = values == null || values.isEmpty() ? "" : values.get(0);
    String changed;
    do {
      switch (random.nextInt(9)) {
        case 0 -> {
          headers.remove(name);
          return;
        }
        case 1 ->
            changed = value.isEmpty() ? "" : value.substring(0, random.nextInt(value.length()));
        case 2 -> changed = junk(random, random.nextInt(200));
        case 3 ->
            changed =
                random.nextBoolean()
                    ? junk(random, 20_000 + random.nextInt(200_000))
                    : damaged(value) + junk(random, 20_000 + random.nextInt(200_000));
        case 4 -> {
          headers.put(name, List.of(value, value));
          return;
        }
        case 5 -> changed = wrongScheme(value, random);
        case 6 -> changed = flip(value, random);
        case 7 -> changed = otherNumber(value, random);
        // The 'x' glues the junk to the first element, so it is never a separate, ignorable one.
        default -> changed = junk(random, random.nextInt(8)) + "x" + value;
      }
    } while (WebhookRequest.stripOptionalWhitespace(changed)
        .equals(WebhookRequest.stripOptionalWhitespace(value)));
    headers.put(name, List.of(changed));
  }

  /** The value without its last character (the end of every signature and timestamp here). */
  private static String damaged(String value) {
    return value.isEmpty() ? "" : value.substring(0, value.length() - 1);
  }

  private static String wrongScheme(String value, Random random) {
    String[][] swaps = {
      {"v1=", "v0="},
      {"v1=", "v2="},
      {"v1=", "V1="},
      {"v1,", "v1a,"},
      {"v1,", "v2,"},
      {"sha256=", "sha1="},
      {"sha256=", "SHA256="},
      {"sha256=", "sha512="},
      {"SHA256withRSA", "SHA1withRSA"},
      {"SHA256withRSA", "RS256"}
    };
    List<String[]> applicable = new ArrayList<>();
    for (String[] swap : swaps) {
      if (value.contains(swap[0])) {
        applicable.add(swap);
      }
    }
    if (applicable.isEmpty()) {
      return (random.nextBoolean() ? "sha256=" : "v1,") + value;
    }
    String[] swap = applicable.get(random.nextInt(applicable.size()));
    return value.replace(swap[0], swap[1]);
  }

  private static String flip(String value, Random random) {
    if (value.isEmpty()) {
      return "x";
    }
    int at = random.nextInt(value.length());
    char old = value.charAt(at);
    char replacement;
    do {
      replacement = JUNK.charAt(random.nextInt(JUNK.length()));
    } while (Character.toLowerCase(replacement) == Character.toLowerCase(old));
    return value.substring(0, at) + replacement + value.substring(at + 1);
  }

  private static String otherNumber(String value, Random random) {
    return switch (random.nextInt(5)) {
      case 0 -> "9".repeat(1 + random.nextInt(40));
      case 1 -> "-" + random.nextInt(1_000_000);
      case 2 -> Long.toString(random.nextLong());
      case 3 -> "1e9";
      default -> value.replaceAll("[0-9]", Integer.toString(random.nextInt(10)));
    };
  }

  private static String junk(Random random, int length) {
    StringBuilder junk = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      junk.append(JUNK.charAt(random.nextInt(JUNK.length())));
    }
    return junk.toString();
  }
}
