package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class StoredHeadersTest {
  private static final CapturedResponse RESPONSE =
      CapturedResponse.builder(201)
          .header("Content-Type", "application/json")
          .header("Location", "/p/1")
          .header("ETag", "\"v1\"")
          .header("Set-Cookie", "session=abc")
          .header("Authorization", "Bearer x")
          .header("X-Request-Id", "r-1")
          .header("X-Csrf-Token", "t")
          .header("X-Client-Secret", "s")
          .header("Content-Length", "2")
          .body(new byte[] {'{', '}'})
          .build();

  @Test
  void onlyAllowListedHeadersAreStored() {
    CapturedResponse stored = StoredHeaders.withExtras(List.of()).retain(RESPONSE);

    Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    names.addAll(stored.headers().keySet());
    assertEquals(Set.of("Content-Type", "ETag", "Location"), names);
    assertEquals(201, stored.status());
    assertEquals(2, stored.bodyLength());
  }

  @Test
  void configuredExtrasAreStoredToo() {
    CapturedResponse stored = StoredHeaders.withExtras(List.of("x-request-id")).retain(RESPONSE);

    assertEquals(List.of("r-1"), stored.headers("X-Request-Id"));
  }

  @Test
  void credentialsCookiesAndFramingCanNeverBeConfigured() {
    for (String name :
        List.of(
            "Set-Cookie",
            "set-cookie",
            "Authorization",
            "Proxy-Authorization",
            "X-Csrf-Token",
            "X-API-TOKEN",
            "Tokens",
            "X-Client-Secret",
            "SECRETS",
            "Content-Length",
            "Transfer-Encoding",
            "Idempotent-Replayed")) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> StoredHeaders.withExtras(List.of(name)), name);
      assertEquals(
          true, e.getMessage().startsWith("header " + name + " is never stored: "), e.getMessage());
    }
    assertThrows(
        IllegalArgumentException.class, () -> StoredHeaders.withExtras(List.of("Bad Name")));
  }

  @Test
  void theDefaultAllowListIsTheDesignOnePlusContentEncoding() {
    Set<String> expected = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    expected.addAll(
        List.of(
            "Content-Type",
            "Content-Location",
            "Location",
            "ETag",
            "Last-Modified",
            "Link",
            "Cache-Control",
            "Content-Encoding"));
    assertEquals(expected, StoredHeaders.withExtras(List.of()).names());
    assertEquals(Map.of(), CapturedResponse.builder(204).build().headers());
  }
}
