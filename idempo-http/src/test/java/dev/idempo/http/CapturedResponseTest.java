package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link CapturedResponse} and its builder. */
class CapturedResponseTest {
  @Test
  void aBuiltResponseNeverChangesWhenItsBuilderGoesOn() {
    CapturedResponse.Builder builder =
        CapturedResponse.builder(201).header("Content-Type", "application/json");
    CapturedResponse first = builder.build();

    builder.header("content-type", "text/plain").header("ETag", "\"1\"");
    CapturedResponse second = builder.build();
    builder.header("Link", "</a>");

    assertEquals(Map.of("Content-Type", List.of("application/json")), Map.copyOf(first.headers()));
    assertEquals(List.of("application/json", "text/plain"), second.headers("Content-Type"));
    assertEquals(List.of("\"1\""), second.headers("etag"));
    assertEquals(List.of(), second.headers("Link"));
  }

  @Test
  void headersOfABuiltResponseCannotBeChanged() {
    CapturedResponse response = CapturedResponse.builder(200).header("ETag", "\"1\"").build();

    assertThrows(UnsupportedOperationException.class, () -> response.headers("ETag").add("\"2\""));
    assertThrows(
        UnsupportedOperationException.class, () -> response.headers().put("Link", List.of()));
  }

  @Test
  void aTokenIsOneOrMoreTcharsAsRfc9110SaysForEveryChar() {
    String tchars = "!#$%&'*+-.^_`|~";
    for (char c = 0; c < 0x200; c++) {
      boolean tchar =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || tchars.indexOf(c) >= 0;
      assertEquals(tchar, CapturedResponse.isToken(String.valueOf(c)), "char 0x" + (int) c);
      assertEquals(tchar, CapturedResponse.isToken("X-" + c + "-y"), "char 0x" + (int) c);
    }
    assertFalse(CapturedResponse.isToken(""));
  }
}
