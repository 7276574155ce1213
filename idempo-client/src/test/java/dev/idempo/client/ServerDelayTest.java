package dev.idempo.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServerDelayTest {
  private static final Instant NOW = Instant.parse("1994-11-06T08:49:00Z");

  private static Optional<Duration> retryAfter(String value) {
    return ServerDelay.parseRetryAfter(value, NOW);
  }

  private static HttpHeaders headers(String... pairs) {
    java.util.Map<String, List<String>> map =
        new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], List.of(pairs[i + 1]));
    }
    return HttpHeaders.of(Map.copyOf(map), (name, value) -> true);
  }

  @Test
  void deltaSeconds() {
    assertEquals(Optional.of(Duration.ofMinutes(2)), retryAfter("120"));
    assertEquals(Optional.of(Duration.ZERO), retryAfter("0"));
    assertEquals(Optional.of(Duration.ofSeconds(5)), retryAfter(" 5 "));
  }

  @Test
  void hugeDeltaSecondsSaturateInsteadOfOverflowing() {
    assertEquals(Optional.of(ServerDelay.SATURATED), retryAfter("99999999999999999999999"));
    assertEquals(Optional.of(ServerDelay.SATURATED), retryAfter("999999999999"));
  }

  @Test
  void imfFixdate() {
    assertEquals(Optional.of(Duration.ofSeconds(37)), retryAfter("Sun, 06 Nov 1994 08:49:37 GMT"));
  }

  @Test
  void obsoleteRfc850Date() {
    assertEquals(Optional.of(Duration.ofSeconds(37)), retryAfter("Sunday, 06-Nov-94 08:49:37 GMT"));
  }

  @Test
  void obsoleteAsctimeDate() {
    assertEquals(Optional.of(Duration.ofSeconds(37)), retryAfter("Sun Nov  6 08:49:37 1994"));
  }

  @Test
  void aDateInThePastMeansNow() {
    assertEquals(Optional.of(Duration.ZERO), retryAfter("Sun, 06 Nov 1994 08:00:00 GMT"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "soon", "-5", "1.5", "5s", "Sun, 32 Nov 1994 08:49:37 GMT", "Nov 6 1994"})
  void invalidValuesAreIgnored(String value) {
    assertEquals(Optional.empty(), retryAfter(value));
  }

  @Test
  void retryAfterMs() {
    assertEquals(Optional.of(Duration.ofMillis(250)), ServerDelay.parseMillis("250"));
    assertEquals(Optional.of(Duration.ofNanos(12_345_000)), ServerDelay.parseMillis("12.345"));
    assertEquals(Optional.of(ServerDelay.SATURATED), ServerDelay.parseMillis("1" + "0".repeat(30)));
    assertEquals(Optional.empty(), ServerDelay.parseMillis("-1"));
    assertEquals(Optional.empty(), ServerDelay.parseMillis("1e3"));
  }

  @Test
  void retryAfterMsWinsWhenValidElseRetryAfterApplies() {
    assertEquals(
        Optional.of(Duration.ofMillis(40)),
        ServerDelay.from(headers("Retry-After-Ms", "40", "Retry-After", "3"), NOW));
    assertEquals(
        Optional.of(Duration.ofSeconds(3)),
        ServerDelay.from(headers("retry-after-ms", "bad", "retry-after", "3"), NOW));
    assertEquals(Optional.empty(), ServerDelay.from(headers(), NOW));
  }
}
