package dev.idempo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.gateway.Engine;
import dev.idempo.gateway.GatewayConfig;
import dev.idempo.gateway.OnUnknownOutcome;
import dev.idempo.gateway.StoreLocation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The flags: parsing into a configuration, and one-line errors for everything that can go wrong.
 */
class GatewayCommandLineTest {

  @Test
  void everyFlagReachesTheConfiguration() {
    GatewayConfig config =
        GatewayCommandLine.parse(
            "--listen",
            "0.0.0.0:8080",
            "--upstream",
            "http://127.0.0.1:9000/api",
            "--store",
            "redis://127.0.0.1:6379",
            "--require-key",
            "--methods",
            "post, put",
            "--retention",
            "2h",
            "--lease",
            "5s",
            "--upstream-timeout",
            "250ms",
            "--wait-in-flight",
            "3s",
            "--tenant-header",
            "X-Tenant",
            "--max-body",
            "512KiB",
            "--max-response",
            "1MB",
            "--on-unknown",
            "reexecute",
            "--admin",
            "127.0.0.1:9090",
            "--drain-timeout",
            "1m");

    assertEquals("0.0.0.0", config.listenHost());
    assertEquals(8080, config.listenPort());
    assertEquals(URI.create("http://127.0.0.1:9000/api"), config.upstream());
    assertEquals(
        Optional.of(StoreLocation.parse("redis://127.0.0.1:6379")), config.storeLocation());
    assertTrue(config.keyRequired());
    assertEquals(Set.of("POST", "PUT"), config.methods());
    assertEquals(Duration.ofHours(2), config.retention());
    assertEquals(Duration.ofSeconds(5), config.lease());
    assertEquals(Duration.ofMillis(250), config.upstreamTimeout());
    assertEquals(Duration.ofSeconds(3), config.waitForInFlight());
    assertEquals(Optional.of("X-Tenant"), config.tenantHeader());
    assertEquals(512 * 1024, config.maxRequestBodyBytes());
    assertEquals(1_000_000, config.maxResponseBodyBytes());
    assertEquals(OnUnknownOutcome.REEXECUTE, config.onUnknownOutcome());
    assertEquals(Optional.of("127.0.0.1"), config.adminHost());
    assertEquals(9090, config.adminPort());
    assertEquals(Duration.ofMinutes(1), config.drainTimeout());
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    GatewayConfig config =
        GatewayCommandLine.parse("--listen", "[::1]:0", "--upstream", "http://localhost:9000");

    assertEquals("::1", config.listenHost());
    assertEquals(
        Optional.of(StoreLocation.parse("sqlite:./idempo-data/idempo.db")), config.storeLocation());
    assertFalse(config.keyRequired());
    assertEquals(Set.of("POST", "PATCH"), config.methods());
    assertEquals(Duration.ofHours(24), config.retention());
    assertEquals(Duration.ofSeconds(30), config.lease());
    assertEquals(Duration.ofSeconds(30), config.upstreamTimeout());
    assertEquals(Duration.ZERO, config.waitForInFlight());
    assertEquals(Optional.empty(), config.tenantHeader());
    assertEquals(10 << 20, config.maxRequestBodyBytes());
    assertEquals(1 << 20, config.maxResponseBodyBytes());
    assertEquals(OnUnknownOutcome.FAIL, config.onUnknownOutcome());
    assertEquals(Optional.empty(), config.adminHost());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--bogus|Unknown option: '--bogus'",
        "--max-body 12 parsecs|--max-body: unknown size unit 'parsecs'",
        "--max-body 1GiB|--max-body: must be at most 256MiB, was 1GiB",
        "--lease soon|--lease: a duration is a whole number and a unit",
        "--lease 0s|--lease: lease must be",
        "--methods GET|--methods: method GET cannot be guarded",
        "--on-unknown retry|--on-unknown: must be fail or reexecute, was 'retry'",
        "--store mongodb://x|--store: store must be memory, sqlite:PATH, redis://HOST:PORT or jdbc:postgresql://",
        "--admin nowhere|--admin must be HOST:PORT",
        "--tenant-header X:Y|--tenant-header: tenant header name must be an HTTP token",
      })
  void aBadFlagIsOneLineOnStderrAndExitCode2(String extra, String message) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:9"));
    args.addAll(List.of(extra.split(" ", 2)));

    Run run = Run.of(args.toArray(String[]::new));

    assertEquals(GatewayCommandLine.USAGE_ERROR, run.exitCode());
    assertEquals("", run.out());
    assertEquals(1, run.err().lines().count(), run.err());
    assertTrue(run.err().startsWith("test-gateway: "), run.err());
    assertTrue(run.err().contains(message), run.err());
  }

  @Test
  void theEngineFlagSelectsTheEngineAndNamesABadOne() {
    String[] base = {"--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:9"};

    assertEquals(GatewayConfig.DEFAULT_ENGINE, GatewayCommandLine.parse(base).engine());
    for (Engine engine : Engine.values()) {
      String name = engine.name().toLowerCase(java.util.Locale.ROOT);
      assertEquals(
          engine,
          GatewayCommandLine.parse(
                  "--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:9", "--engine", name)
              .engine());
    }
    assertTrue(
        Run.of(
                "--listen",
                "127.0.0.1:0",
                "--upstream",
                "http://127.0.0.1:9",
                "--engine",
                "undertow")
            .err()
            .contains("--engine"));
  }

  @Test
  void missingRequiredFlagsAreNamed() {
    assertTrue(
        Run.of("--upstream", "http://127.0.0.1:9")
            .err()
            .contains("--listen HOST:PORT is required"));
    assertTrue(Run.of("--listen", "127.0.0.1:0").err().contains("--upstream URL is required"));
    assertTrue(
        Run.of("--listen", "127.0.0.1:0", "--upstream", "ftp://x")
            .err()
            .contains("--upstream: upstream must be an http:// or https:// URL, was ftp://x"));
  }

  @Test
  void aPortInUseIsOneLineAndExitCode1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Run run =
          Run.of(
              "--listen",
              "127.0.0.1:" + taken.getLocalPort(),
              "--upstream",
              "http://127.0.0.1:9",
              "--store",
              "memory");

      assertEquals(GatewayCommandLine.START_FAILED, run.exitCode());
      assertEquals(1, run.err().lines().count(), run.err());
      assertTrue(
          run.err()
              .startsWith(
                  "test-gateway: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": "),
          run.err());
      assertTrue(run.err().contains("Address already in use"), run.err());
    }
  }

  @Test
  void anUnreachableRedisIsOneLineAndExitCode1() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    Run run =
        Run.of(
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "http://127.0.0.1:9",
            "--store",
            "redis://127.0.0.1:" + closed);

    assertEquals(GatewayCommandLine.START_FAILED, run.exitCode());
    assertTrue(
        run.err().startsWith("test-gateway: cannot open store redis://127.0.0.1:" + closed + ": "),
        run.err());
    assertEquals(1, run.err().lines().count(), run.err());
  }

  @Test
  void helpPrintsTheUsage() {
    Run run = Run.of("--help");

    assertEquals(0, run.exitCode());
    assertTrue(run.out().contains("Usage: test-gateway"), run.out());
    for (String flag :
        List.of(
            "--listen",
            "--upstream",
            "--store",
            "--require-key",
            "--methods",
            "--retention",
            "--lease",
            "--upstream-timeout",
            "--wait-in-flight",
            "--tenant-header",
            "--max-body",
            "--max-response",
            "--on-unknown",
            "--admin")) {
      assertTrue(run.out().contains(flag), flag);
    }
  }

  @Test
  void storeHelpNamesTheMemoryStoresCapacity() {
    String help = Run.of("--help").out().replaceAll("\\s+", " "); // as one line, unwrapped

    assertTrue(help.contains("memory:RECORDS"), help);
    assertTrue(help.contains("at most RECORDS records (default 100000"), help);
  }

  @Test
  void parseRefusesBadInputWithTheSameMessages() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                GatewayCommandLine.parse(
                    "--listen", "127.0.0.1:0", "--upstream", "http://x", "--retention", "forever"));
    assertTrue(e.getMessage().startsWith("--retention: "), e.getMessage());
  }

  /** One in-process run of the command line, with what it printed. */
  record Run(int exitCode, String out, String err) {
    static Run of(String... args) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code =
          GatewayCommandLine.run(
              "test-gateway",
              args,
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8));
      return new Run(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
  }

  @Test
  void upstreamIdleTimeoutDefaultsBelowCommonKeepAlivesAndRejectsZero() {
    GatewayConfig defaults =
        GatewayCommandLine.parse("--listen", "127.0.0.1:0", "--upstream", "http://localhost:9000");
    GatewayConfig set =
        GatewayCommandLine.parse(
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "http://localhost:9000",
            "--upstream-idle-timeout",
            "1500ms");

    assertEquals(Duration.ofMillis(500), defaults.upstreamIdleTimeout());
    assertEquals(Duration.ofMillis(1500), set.upstreamIdleTimeout());
    IllegalArgumentException zero =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                GatewayCommandLine.parse(
                    "--listen",
                    "127.0.0.1:0",
                    "--upstream",
                    "http://localhost:9000",
                    "--upstream-idle-timeout",
                    "0ms"));
    assertTrue(
        zero.getMessage().contains("upstream-idle-timeout")
            || zero.getMessage().contains("upstreamIdleTimeout"),
        zero.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            GatewayConfig.builder(URI.create("http://localhost:9000"))
                .upstreamIdleTimeout(Duration.ofHours(2)));
  }
}
