package dev.idempo.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InFlightConflictTest {
  private static boolean inFlight(String body) {
    return InFlightConflict.isInFlight(body.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"type\":\"urn:idempo:problem:key-in-flight\",\"status\":409}",
        "{\"status\":409, \"type\" : \"https:\\/\\/api.example.com\\/problems\\/key-in-flight\"}",
        "{\"title\":\"x\",\"type\":\"https://api.example.com/problems/key-in-flight\"}",
        "{\"error\":{\"type\":\"idempotency_error\",\"code\":\"idempotency_key_in_use\"}}",
        "{\"error\": {\"code\" : \"idempotency_key_in_use\", \"message\": \"in progress\"}}"
      })
  void recognisesKeyInFlight(String body) {
    assertTrue(inFlight(body), body);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "conflict",
        "{\"type\":\"urn:example:problem:order-already-shipped\",\"status\":409}",
        "{\"type\":\"urn:idempo:problem:key-in-flight-not\"}",
        "{\"title\":\"key-in-flight\"}",
        "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"resource_already_exists\"}}",
        "{\"error\":{\"code\":\"idempotency_key_in_use_elsewhere\"}}"
      })
  void anyOtherConflictIsNotInFlight(String body) {
    assertFalse(inFlight(body), body);
  }
}
