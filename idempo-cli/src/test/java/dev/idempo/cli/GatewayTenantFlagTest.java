package dev.idempo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.gateway.GatewayConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --tenant}: every source reaches the configuration, and a bad one stops the start. */
class GatewayTenantFlagTest {
  private static GatewayConfig parse(String... tenant) {
    List<String> args =
        new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:9"));
    args.addAll(List.of(tenant));
    return GatewayCommandLine.parse(args.toArray(String[]::new));
  }

  @Test
  void eachSourceReachesTheConfiguration() {
    assertEquals("authorization", parse().tenant().toString());
    assertEquals("authorization", parse("--tenant", "authorization").tenant().toString());
    assertEquals("header:X-User-Id", parse("--tenant", "header:X-User-Id").tenant().toString());
    assertEquals(Optional.of("X-User-Id"), parse("--tenant", "header:X-User-Id").tenantHeader());
    assertEquals("header:X-Tenant", parse("--tenant-header", "X-Tenant").tenant().toString());
    assertEquals("cookie:session", parse("--tenant", "cookie:session").tenant().toString());
    assertTrue(parse("--tenant", "none").tenant().sharesOneKeySpace());
    assertEquals(
        "jwt:sub?jwks=https://issuer.example/jwks.json&iss=https://issuer.example/",
        parse(
                "--tenant",
                "jwt:sub?jwks=https://issuer.example/jwks.json&iss=https://issuer.example/")
            .tenant()
            .toString());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--tenant kerberos|--tenant: tenant source must be authorization, header:NAME, cookie:NAME",
        "--tenant header:|--tenant: tenant source header needs a name",
        "--tenant tls-subject|--tenant: tls-subject needs TLS terminated by the gateway",
        "--tenant jwt:sub|--tenant: tenant source jwt needs jwks=LOCATION",
        "--tenant jwt:sub?jwks=http://issuer.example/keys|--tenant: jwks must be an https:// URL",
        "--tenant jwt:sub?jwks=file:/no/such/file.json|--tenant: cannot read the JWKS"
            + " file:/no/such/file.json",
      })
  void aBadSourceIsOneLineOnStderrAndExitCode2(String flag, String message) {
    List<String> args =
        new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:9"));
    args.addAll(List.of(flag.split(" ", 2)));

    GatewayCommandLineTest.Run run = GatewayCommandLineTest.Run.of(args.toArray(String[]::new));

    assertEquals(GatewayCommandLine.USAGE_ERROR, run.exitCode());
    assertEquals(1, run.err().lines().count(), run.err());
    assertTrue(run.err().contains(message), run.err());
  }

  @Test
  void tenantAndTenantHeaderCannotBeCombined() {
    GatewayCommandLineTest.Run run =
        GatewayCommandLineTest.Run.of(
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "http://127.0.0.1:9",
            "--tenant",
            "none",
            "--tenant-header",
            "X-T");

    assertEquals(GatewayCommandLine.USAGE_ERROR, run.exitCode());
    assertTrue(run.err().contains("--tenant and --tenant-header cannot be combined"), run.err());
  }

  @Test
  void helpExplainsTheSources() {
    String help = GatewayCommandLineTest.Run.of("--help").out();

    assertTrue(help.contains("--tenant"), help);
    assertTrue(help.contains("jwt:CLAIM?jwks=URL"), help);
    assertTrue(help.contains("tenant-required"), help);
  }
}
