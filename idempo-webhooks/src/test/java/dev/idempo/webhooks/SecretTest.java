package dev.idempo.webhooks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets come from files and environment variables and never show their value. */
class SecretTest {
  @TempDir Path directory;

  @Test
  void aFileSecretLosesOneTrailingLineBreakAndNamesOnlyItsPath() throws Exception {
    Path file = Files.writeString(directory.resolve("stripe"), "whsec_abc\r\n");
    Secret secret = Secret.fromFile(file);
    assertArrayEquals("whsec_abc".getBytes(StandardCharsets.UTF_8), secret.bytes());
    assertEquals("Secret[file:" + file + "]", secret.toString());
    assertFalse(secret.toString().contains("whsec_abc"));
    assertEquals(secret.toString(), Secret.parse("file:" + file).toString());
  }

  @Test
  void anEnvironmentSecretNamesTheVariableNotTheValue() {
    Secret secret = Secret.fromEnvironment("STRIPE_SECRET", Map.of("STRIPE_SECRET", "whsec_x"));
    assertEquals("Secret[env:STRIPE_SECRET]", secret.toString());
    IllegalArgumentException unset =
        assertThrows(
            IllegalArgumentException.class,
            () -> Secret.fromEnvironment("NOT_SET_ANYWHERE", Map.of()));
    assertTrue(unset.getMessage().contains("NOT_SET_ANYWHERE"), unset.getMessage());
  }

  @Test
  void emptyMissingAndInlineSecretsAreRefusedWithoutEchoingThem() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> Secret.of(""));
    Path empty = Files.writeString(directory.resolve("empty"), "\n");
    assertThrows(IllegalArgumentException.class, () -> Secret.fromFile(empty));
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class, () -> Secret.fromFile(directory.resolve("absent")));
    assertTrue(missing.getMessage().contains("absent"));
    IllegalArgumentException inline =
        assertThrows(IllegalArgumentException.class, () -> Secret.parse("whsec_topsecret"));
    assertFalse(inline.getMessage().contains("topsecret"), inline.getMessage());
  }
}
