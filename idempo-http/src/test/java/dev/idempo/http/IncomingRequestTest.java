package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IncomingRequestTest {
  @Test
  void aBufferedRequestLooksHeadersUpInAnyCaseAndEnforcesTheBodyLimit() throws Exception {
    byte[] body = {1, 2, 3};
    IncomingRequest request =
        IncomingRequest.of(
            "POST",
            "/p",
            "a=1",
            Map.of("Idempotency-Key", List.of("k"), "X-Two", List.of("a", "b")),
            body);
    body[0] = 9;

    assertEquals(List.of("k"), request.headers("idempotency-key"));
    assertEquals(List.of("a", "b"), request.headers("X-TWO"));
    assertEquals(List.of(), request.headers("Authorization"));
    assertArrayEquals(new byte[] {1, 2, 3}, request.body(3), "the body was copied in");
    RequestBodyTooLargeException e =
        assertThrows(RequestBodyTooLargeException.class, () -> request.body(2));
    assertEquals(2, e.limit());
    assertEquals("request body of 3 bytes is larger than the limit of 2 bytes", e.getMessage());
  }
}
