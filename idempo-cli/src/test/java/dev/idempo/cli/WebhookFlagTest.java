package dev.idempo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.gateway.GatewayConfig;
import dev.idempo.testsupport.PayPalCertificate;
import dev.idempo.webhooks.WebhookEndpointSpec;
import dev.idempo.webhooks.WebhookReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code --webhook} and {@code --webhook-retention} flags of the gateway's command line (kept
 * apart from {@link WebhookGatewayTest} so it can move with the command line).
 */
class WebhookFlagTest {
  @TempDir Path directory;
  private Path secretFile;

  @BeforeEach
  void writeSecret() throws Exception {
    secretFile = Files.writeString(directory.resolve("stripe-secret"), "whsec_flag_test");
  }

  @Test
  void theCommandLineTakesRepeatableWebhooksAndARetention() {
    GatewayConfig config =
        GatewayCommandLine.parse(
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "http://127.0.0.1:9000",
            "--webhook",
            "/hooks/stripe=stripe:file:" + secretFile,
            "--webhook",
            "/hooks/gh=github:file:" + secretFile,
            "--webhook-retention",
            "3d");

    assertEquals(
        List.of("/hooks/stripe", "/hooks/gh"),
        config.webhooks().stream().map(WebhookEndpointSpec::path).toList());
    assertEquals(Duration.ofDays(3), config.webhookRetention());
    assertEquals(
        WebhookReceiver.DEFAULT_RETENTION,
        GatewayCommandLine.parse("--listen", "127.0.0.1:0", "--upstream", "http://h:1")
            .webhookRetention());
    assertFalse(config.toString().contains(secretFile.toString()), "no secret location logged");
  }

  @Test
  void aBadWebhookFlagNamesTheFlagAndNeverTheSecret() {
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                GatewayCommandLine.parse(
                    "--listen",
                    "127.0.0.1:0",
                    "--upstream",
                    "http://h:1",
                    "--webhook",
                    "/hooks/x=shopify:env:SHOP_SECRET_VALUE"));
    IllegalArgumentException twice =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                GatewayCommandLine.parse(
                    "--listen",
                    "127.0.0.1:0",
                    "--upstream",
                    "http://h:1",
                    "--webhook",
                    "/hooks/s=stripe:file:" + secretFile,
                    "--webhook",
                    "/hooks/s=stripe:file:" + secretFile));
    IllegalArgumentException retention =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                GatewayCommandLine.parse(
                    "--listen",
                    "127.0.0.1:0",
                    "--upstream",
                    "http://h:1",
                    "--webhook-retention",
                    "0ms"));

    assertTrue(unknown.getMessage().startsWith("--webhook:"), unknown.getMessage());
    assertTrue(unknown.getMessage().contains("unknown provider"), unknown.getMessage());
    assertFalse(unknown.getMessage().contains("SHOP_SECRET_VALUE"), unknown.getMessage());
    assertTrue(twice.getMessage().contains("already configured"), twice.getMessage());
    assertTrue(retention.getMessage().startsWith("--webhook-retention"), retention.getMessage());
  }

  /** The README's command line for every provider, with file secrets in place of variables. */
  @Test
  void everyProviderIsTakenFromTheCommandLine() throws Exception {
    Path standard =
        Files.writeString(directory.resolve("sw"), "whsec_" + "c2VjcmV0LXNlY3JldC1zZWNyZXQ=");
    Path pem =
        PayPalCertificate.generate(directory, "paypal", 2).writePem(directory.resolve("pp.pem"));
    GatewayConfig config =
        GatewayCommandLine.parse(
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "http://127.0.0.1:9000",
            "--webhook",
            "/hooks/stripe=stripe:file:" + secretFile + ",file:" + secretFile,
            "--webhook",
            "/hooks/svix=svix:file:" + standard + ";provider=svix",
            "--webhook",
            "/hooks/github=github:file:" + secretFile,
            "--webhook",
            "/hooks/paypal=paypal:file:" + pem + ";webhook-id=1JE4291016473214C",
            "--webhook",
            "/hooks/shop=hmac:file:"
                + secretFile
                + ";provider=shop;header=X-Shop-Hmac;encoding=base64;event-id-header=X-Shop-Id");

    assertEquals(
        List.of(
            "/hooks/stripe stripe",
            "/hooks/svix svix",
            "/hooks/github github",
            "/hooks/paypal paypal",
            "/hooks/shop shop"),
        config.webhooks().stream()
            .map(spec -> spec.path() + " " + spec.verifier().provider())
            .toList());
  }
}
