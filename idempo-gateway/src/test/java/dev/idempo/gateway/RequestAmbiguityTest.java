package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.http.IdempotencyRoute;
import dev.idempo.http.RouteTable;
import java.util.Optional;
import java.util.Set;
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

  @ParameterizedTest
  @ValueSource(strings = {"/", "/charges", "/payments/x-y_z~1", "/a/b/c", "/caf\u00e9"})
  void aPathDecidedPlainWithoutReadingItHasNoOtherReading(String path) {
    assertTrue(RequestAmbiguity.isPlain(path), path);
    assertEquals(Set.of(), RequestAmbiguity.readings(path), path);
    assertEquals(Set.of(path), RequestAmbiguity.spellings(path), path);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/%63", "/a\\b", "/a;b", "/a/./b", "//a", "/a//b", "/a/", "/file.txt"})
  void aPathWithAnotherPossibleSpellingIsNotPlain(String path) {
    assertFalse(RequestAmbiguity.isPlain(path), path);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/hooks/%73tripe",
        "/hooks/stripe;x=1",
        "/hooks/stripe/",
        "/hooks//stripe",
        "/hooks%2Fstripe",
        "/HOOKS/stripe",
        "/hooks/Stripe/"
      })
  void aLookalikeOfAWebhookPathIsRefusedWhateverTheRoutes(String path) {
    Optional<String> reason =
        RequestAmbiguity.of(RouteTable.of(), Set.of("/hooks/stripe"), "POST", path);

    assertTrue(reason.isPresent(), path);
    assertTrue(reason.get().contains("\"/hooks/stripe\""), reason.get());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/hooks/stripe2", "/hooks", "/hooks/github", "/hooks/strip%65x"})
  void anotherPathBesideAWebhookPathIsForwarded(String path) {
    assertEquals(
        Optional.empty(),
        RequestAmbiguity.of(RouteTable.of(), Set.of("/hooks/stripe"), "POST", path));
  }
}
