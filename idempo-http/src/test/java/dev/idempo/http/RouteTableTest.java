package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.TakeoverPolicy;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteTableTest {
  private final IdempotencyRoute payments =
      IdempotencyRoute.builder("/payments/**").name("payments").build();
  private final IdempotencyRoute refunds =
      IdempotencyRoute.builder("/payments/refunds").name("refunds").methods("POST").build();
  private final IdempotencyRoute everything =
      IdempotencyRoute.builder("/**").name("all").methods("PUT").build();
  private final RouteTable table = RouteTable.of(payments, refunds, everything);

  @Test
  void prefixesMatchTheBaseAndEverythingBelowIt() {
    assertEquals(Optional.of(payments), table.match("POST", "/payments"));
    assertEquals(Optional.of(payments), table.match("POST", "/payments/7/capture"));
    assertEquals(Optional.empty(), table.match("POST", "/paymentsX"));
    assertEquals(Optional.empty(), table.match("POST", "/orders"));
    assertEquals(Optional.of(everything), table.match("PUT", "/orders"));
  }

  @Test
  void theMostSpecificRouteCoveringTheMethodWins() {
    assertEquals(Optional.of(refunds), table.match("POST", "/payments/refunds"));
    assertEquals(
        Optional.of(payments),
        table.match("PATCH", "/payments/refunds"),
        "refunds does not cover PATCH");
    assertEquals(Optional.of(payments), table.match("POST", "/payments/refunds/9"));
    IdempotencyRoute longer =
        IdempotencyRoute.builder("/payments/refunds/**").name("longer").build();
    assertEquals(
        Optional.of(longer), RouteTable.of(payments, longer).match("POST", "/payments/refunds/9"));
    assertEquals(
        Optional.of(longer), RouteTable.of(longer, payments).match("POST", "/payments/refunds/9"));
  }

  @Test
  void methodsMatchIgnoringAsciiCaseAndDefaultToPostAndPatch() {
    assertEquals(Set.of("PATCH", "POST"), payments.methods());
    assertTrue(payments.matches("post", "/payments"), "a server may execute post as POST");
    assertTrue(RouteTable.of(payments).match("pAtCh", "/payments").isPresent());
    assertFalse(payments.matches("po\u017Ft", "/payments"), "only ASCII letters fold");
    assertFalse(payments.matches("PUT", "/payments"));
    assertEquals(
        Set.of("DELETE", "PUT"),
        IdempotencyRoute.builder("/x").methods("put", "DELETE").build().methods());
  }

  @Test
  void defaults() {
    IdempotencyRoute route = IdempotencyRoute.builder("/a", "/b/**").build();
    assertEquals("/a,/b/**", route.name());
    assertTrue(route.keyRequired());
    assertEquals(Duration.ofSeconds(30), route.lease());
    assertEquals(Duration.ofHours(24), route.retention());
    assertEquals(Duration.ZERO, route.waitForInFlight());
    assertEquals(TakeoverPolicy.FAIL_CLOSED, route.takeover());
    assertEquals(RequestFingerprinter.RAW_BODY, route.fingerprinter());
    assertEquals(Set.of(408, 425, 429, 503), route.releasedStatuses());
    assertEquals("POST /a,/b/**", route.operation("POST"));
  }

  @Test
  void badRoutesAreRefusedNamingTheValue() {
    assertEquals(
        "path must start with /, was \"payments\"",
        assertThrows(IllegalArgumentException.class, () -> IdempotencyRoute.builder("payments"))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> IdempotencyRoute.builder("/payments/*"));
    assertThrows(IllegalArgumentException.class, () -> IdempotencyRoute.builder("/pay*/x"));
    assertThrows(IllegalArgumentException.class, () -> IdempotencyRoute.builder("/**/x"));
    assertThrows(IllegalArgumentException.class, () -> IdempotencyRoute.builder("/a?b"));
    assertThrows(IllegalArgumentException.class, () -> IdempotencyRoute.builder("/a", "/a"));
    assertEquals(
        "method GET cannot be guarded: safe methods never touch the idempotency store",
        assertThrows(
                IllegalArgumentException.class, () -> IdempotencyRoute.builder("/a").methods("get"))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> IdempotencyRoute.builder("/a").methods("HEAD"));
    assertThrows(
        IllegalArgumentException.class, () -> IdempotencyRoute.builder("/a").methods("OPTIONS"));
    assertThrows(IllegalArgumentException.class, () -> IdempotencyRoute.builder("/a").methods());
    assertThrows(
        IllegalArgumentException.class, () -> IdempotencyRoute.builder("/a").methods("PO ST"));
    assertThrows(
        IllegalArgumentException.class, () -> IdempotencyRoute.builder("/a").lease(Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> IdempotencyRoute.builder("/a").retention(Duration.ofDays(401)));
    assertEquals(
        "waitForInFlight must be between 0 and PT10M, was PT11M",
        assertThrows(
                IllegalArgumentException.class,
                () -> IdempotencyRoute.builder("/a").waitForInFlight(Duration.ofMinutes(11)))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> IdempotencyRoute.builder("/a").releasedStatuses(600));
    assertThrows(IllegalArgumentException.class, () -> IdempotencyRoute.builder("/a").name(""));
  }

  @Test
  void ambiguousTablesAreRefused() {
    assertEquals(
        "routes \"payments\" and \"again\" both guard POST /payments/**",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    RouteTable.of(
                        payments,
                        IdempotencyRoute.builder("/payments/**")
                            .name("again")
                            .methods("POST")
                            .build()))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> RouteTable.of(payments, IdempotencyRoute.builder("/other").name("payments").build()));
  }
}
