package dev.idempo.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.Fingerprint;
import dev.idempo.IdempotencyKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builders and options reject bad values loudly, naming the argument. */
class ConfigurationTest {
  @Test
  void defaults() {
    IdempotentHttpClient client = IdempotentHttpClient.create();
    assertEquals(Set.of("POST", "PATCH"), client.methods());
    assertTrue(client.retryPolicy().budget().isPresent(), "a client gets its own retry budget");
    assertEquals(Duration.ofSeconds(10), client.httpClient().connectTimeout().orElseThrow());
    assertTrue(client.journal().isEmpty());
    assertEquals(4, java.util.UUID.fromString(IdempotentHttpClient.randomKey().value()).version());
  }

  @Test
  void methodsMustBeUpperCaseTokens() {
    IdempotentHttpClient.Builder builder = IdempotentHttpClient.builder();
    IllegalArgumentException lower =
        assertThrows(IllegalArgumentException.class, () -> builder.methods(Set.of("post")));
    assertTrue(lower.getMessage().contains("'post'"), lower.getMessage());
    assertThrows(IllegalArgumentException.class, () -> builder.methods(Set.of("PO ST")));
    assertThrows(IllegalArgumentException.class, () -> builder.methods(Set.of("")));
    NullPointerException nullMethod =
        assertThrows(
            NullPointerException.class,
            () -> builder.methods(new HashSet<>(Arrays.asList("POST", null))));
    assertTrue(nullMethod.getMessage().contains("method"), nullMethod.getMessage());
    assertEquals(
        Set.of(), builder.methods(Set.of()).build().methods(), "empty: keys only when asked");
    assertEquals(Set.of("POST", "PUT"), builder.methods(Set.of("POST", "PUT")).build().methods());
  }

  @Test
  void nullsAreRejectedByName() {
    IdempotentHttpClient.Builder builder = IdempotentHttpClient.builder();
    assertEquals(
        "httpClient must not be null",
        assertThrows(NullPointerException.class, () -> builder.httpClient(null)).getMessage());
    assertEquals(
        "journal must not be null",
        assertThrows(NullPointerException.class, () -> builder.journal(null)).getMessage());
    assertEquals(
        "keyGenerator must not be null",
        assertThrows(NullPointerException.class, () -> builder.keyGenerator(null)).getMessage());
    assertEquals(
        "asyncSleeper must not be null",
        assertThrows(NullPointerException.class, () -> builder.asyncSleeper(null)).getMessage());
    assertEquals(
        "key must not be null",
        assertThrows(NullPointerException.class, () -> CallOptions.key(null)).getMessage());
  }

  @Test
  void operationIdsAreChecked() {
    assertEquals("job-42", CallOptions.operationId("job-42").operationId().orElseThrow());
    assertEquals(
        "x".repeat(512), CallOptions.operationId("x".repeat(512)).operationId().orElseThrow());
    IllegalArgumentException tooLong =
        assertThrows(
            IllegalArgumentException.class, () -> CallOptions.operationId("x".repeat(513)));
    assertTrue(
        tooLong.getMessage().contains("512") && tooLong.getMessage().contains("513"),
        tooLong.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CallOptions.operationId(""));
    IllegalArgumentException control =
        assertThrows(IllegalArgumentException.class, () -> CallOptions.operationId("job\n42"));
    assertTrue(control.getMessage().contains("index 3"), control.getMessage());
  }

  @Test
  void optionsCombineImmutably() {
    Fingerprint fingerprint = Fingerprint.of(new byte[] {1});
    CallOptions base = CallOptions.operationId("job-1");
    CallOptions full = base.withKey(IdempotencyKey.of("k")).withFingerprint(fingerprint);
    assertTrue(base.key().isEmpty());
    assertEquals("job-1", full.operationId().orElseThrow());
    assertEquals("k", full.key().orElseThrow().value());
    assertEquals(fingerprint, full.fingerprint().orElseThrow());
    assertEquals(
        IdempotencyKey.derive("checkout", "c1"),
        CallOptions.derivedKey("checkout", "c1").key().orElseThrow());
    assertTrue(
        CallOptions.defaults().key().isEmpty() && CallOptions.defaults().operationId().isEmpty());
  }

  @Test
  void journalRetentionIsBounded(@TempDir Path dir) {
    assertThrows(
        IllegalArgumentException.class, () -> FileKeyJournal.builder(dir).retention(Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> FileKeyJournal.builder(dir).retention(Duration.ofSeconds(-1)));
    IllegalArgumentException tooLong =
        assertThrows(
            IllegalArgumentException.class,
            () -> JdbcKeyJournal.builder("jdbc:sqlite::memory:").retention(Duration.ofDays(366)));
    assertTrue(tooLong.getMessage().startsWith("retention must be at most"), tooLong.getMessage());
  }

  @Test
  void jdbcTableNamesAreIdentifiers() {
    JdbcKeyJournal.Builder builder = JdbcKeyJournal.builder("jdbc:sqlite::memory:");
    assertEquals("app.key_journal", builder.table("app.key_journal").build().table());
    for (String bad :
        new String[] {"", "1table", "key journal", "t; DROP TABLE x", "a.b.c", "x".repeat(64)}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> builder.table(bad), bad);
      assertTrue(e.getMessage().contains("table must be an SQL identifier"), e.getMessage());
    }
  }

  @Test
  void jdbcUrlsMustBeJdbcAndKeepCredentialsOutOfMessages() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JdbcKeyJournal.builder("postgres://h/db?password=secret"));
    assertTrue(!e.getMessage().contains("secret"), e.getMessage());
    String described =
        JdbcKeyJournal.builder("jdbc:postgresql://h/db?user=u&password=secret").build().toString();
    assertTrue(
        !described.contains("secret") && described.contains("jdbc:postgresql://h/db"), described);
  }
}
