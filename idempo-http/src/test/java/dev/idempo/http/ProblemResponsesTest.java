package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProblemResponsesTest {

  @Test
  void aProblemIsRfc9457JsonUnderTheDefaultUrnBase() {
    CapturedResponse problem =
        new ProblemResponses(ProblemResponses.DEFAULT_BASE, null)
            .render(ProblemType.KEY_MISMATCH, "It says \"no\"\n\u00e9.");

    assertEquals(422, problem.status());
    assertEquals(Optional.of("application/problem+json"), problem.header("content-type"));
    assertEquals(Optional.empty(), problem.header("Link"));
    assertEquals(Optional.empty(), problem.header("Retry-After"));
    String json = new String(problem.body(), StandardCharsets.US_ASCII);
    assertEquals(
        "{\"type\":\"urn:idempo:problem:key-mismatch\",\"title\":\"Idempotency-Key reused with a"
            + " different request\",\"status\":422,\"detail\":\"It says \\\"no\\\"\\u000a\\u00e9.\"}",
        json);
    assertNotNull(CanonicalJson.canonicalize(problem.body()), "well-formed JSON");
  }

  @Test
  void everyTypeHasItsStatusAndSlug() {
    ProblemResponses problems = new ProblemResponses("https://api.example.com/problems/", null);
    for (ProblemType type : ProblemType.values()) {
      CapturedResponse problem = problems.render(type, "d");
      assertEquals(type.status(), problem.status());
      assertTrue(
          new String(problem.body(), StandardCharsets.US_ASCII)
              .startsWith("{\"type\":\"https://api.example.com/problems/" + type.slug() + "\""));
    }
    assertEquals("key-in-flight", ProblemType.KEY_IN_FLIGHT.slug());
    assertEquals(409, ProblemType.KEY_IN_FLIGHT.status());
    assertEquals(413, ProblemType.BODY_TOO_LARGE.status());
    assertEquals(502, ProblemType.OUTCOME_UNKNOWN.status());
    assertEquals(503, ProblemType.STORE_UNAVAILABLE.status());
    assertEquals(500, ProblemType.RESPONSE_TOO_LARGE.status());
  }

  @Test
  void theDescribedByLinkAppearsOnlyWithADocumentationBase() {
    CapturedResponse problem =
        new ProblemResponses(ProblemResponses.DEFAULT_BASE, "https://docs.example.com/problems/")
            .render(ProblemType.KEY_MISMATCH, "d");

    assertEquals(
        List.of("<https://docs.example.com/problems/key-mismatch>; rel=\"describedby\""),
        problem.headers("Link"));
  }

  @Test
  void retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
    assertEquals(1, ProblemResponses.retryAfterSeconds(Duration.ZERO));
    assertEquals(1, ProblemResponses.retryAfterSeconds(Duration.ofMillis(1)));
    assertEquals(1, ProblemResponses.retryAfterSeconds(Duration.ofSeconds(1)));
    assertEquals(2, ProblemResponses.retryAfterSeconds(Duration.ofMillis(1001)));
    assertEquals(30, ProblemResponses.retryAfterSeconds(Duration.ofSeconds(30)));
    CapturedResponse problem =
        new ProblemResponses(ProblemResponses.DEFAULT_BASE, null)
            .render(ProblemType.KEY_IN_FLIGHT, "d", Duration.ofMillis(29_001));
    assertEquals(Optional.of("30"), problem.header("Retry-After"));
  }

  @Test
  void badBasesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ProblemResponses("problems/", null));
    assertThrows(IllegalArgumentException.class, () -> new ProblemResponses("https://x/ y/", null));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ProblemResponses(ProblemResponses.DEFAULT_BASE, "urn:docs:"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ProblemResponses(ProblemResponses.DEFAULT_BASE, "https://x/>; rel=x"));
  }
}
