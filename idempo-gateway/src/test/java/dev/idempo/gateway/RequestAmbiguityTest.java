package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.http.IdempotencyRoute;
import dev.idempo.http.RouteTable;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestAmbiguityTest {
  private static final RouteTable CHARGES =
      RouteTable.of(
          IdempotencyRoute.builder("/charges").build(),
          IdempotencyRoute.builder("/payments/**").build());

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/%63harges",
        "/charges;v=1",
        "/charges/",
        "//charges",
        "/other%2F..%2Fcharges",
        "/payments%2Fx"
      })
  void aPathAnUpstreamMayRouteToAnotherRouteIsRefused(String path) {
    Optional<String> reason = RequestAmbiguity.of(CHARGES, "POST", path);

    assertTrue(reason.isPresent(), path);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/charges", "/payments/a%2Fb", "/payments/x;y", "/other/a%2Fb", "/file.txt"})
  void aPathEveryReadingOfWhichRoutesAlikeIsForwarded(String path) {
    assertEquals(Optional.empty(), RequestAmbiguity.of(CHARGES, "POST", path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"post", "Post", "gEt"})
  void aMethodTheClientWouldUpperCaseIsRefused(String method) {
    assertTrue(RequestAmbiguity.of(CHARGES, method, "/elsewhere").isPresent());
  }
}
