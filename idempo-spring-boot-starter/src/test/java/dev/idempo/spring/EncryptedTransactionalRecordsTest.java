package dev.idempo.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempo.IdempotencyKey;
import dev.idempo.Scope;
import dev.idempo.http.IncomingRequest;
import dev.idempo.http.TenantSource;
import dev.idempo.spring.testapp.TestApplication;
import dev.idempo.testsupport.PostgresServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Transactional mode with encrypted stored responses: each record's ciphertext is bound to its
 * storage key, so bytes copied from one key's row to another's are refused, never replayed as the
 * other key's answer.
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "idempo.store.type=jdbc",
      "idempo.encryption.keys[0].id=k1",
      "idempo.encryption.keys[0].secret=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    })
class EncryptedTransactionalRecordsTest {
  private static String databaseUrl;

  @LocalServerPort int port;
  @Autowired JdbcTemplate jdbc;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry properties) {
    properties.add("spring.datasource.url", EncryptedTransactionalRecordsTest::databaseUrl);
    properties.add("spring.datasource.username", () -> PostgresServer.USER);
    properties.add("spring.datasource.password", () -> "");
  }

  private static synchronized String databaseUrl() {
    if (databaseUrl == null) {
      databaseUrl = PostgresServer.shared().createDatabase("starter_encrypted");
    }
    return databaseUrl;
  }

  private static byte[] storageKey(String route, String key) {
    String tenant =
        TenantSource.authorizationHash()
            .tenant(
                IncomingRequest.of(
                    "POST",
                    route,
                    "",
                    Map.of("Authorization", List.of(Http.DEFAULT_CALLER)),
                    new byte[0]));
    return Scope.of(tenant, "POST " + route).storageKey(IdempotencyKey.of(key)).toBytes();
  }

  private static String body(String id) {
    return "{\"id\":\"" + id + "\",\"amount\":1250}";
  }

  @Test
  void encryptedTransactionalRecordOfOneKeyIsNeverServedForAnother() {
    Http http = new Http(port);
    String alice = UUID.randomUUID().toString();
    String bob = UUID.randomUUID().toString();
    assertThat(http.post("/tx/payments", body(alice), "Idempotency-Key", alice).statusCode())
        .isEqualTo(201);
    assertThat(http.post("/tx/payments", body(bob), "Idempotency-Key", bob).statusCode())
        .isEqualTo(201);
    byte[] aliceBytes =
        jdbc.queryForObject(
            "SELECT response FROM idempo_records WHERE storage_key = ?",
            byte[].class,
            storageKey("/tx/payments", alice));
    assertThat(aliceBytes).isNotNull();
    assertThat(new String(aliceBytes, StandardCharsets.ISO_8859_1)).doesNotContain(alice);

    // Someone with write access to the table serves alice's answer for bob's key.
    jdbc.update(
        "UPDATE idempo_records SET response = ? WHERE storage_key = ?",
        aliceBytes,
        storageKey("/tx/payments", bob));
    HttpResponse<String> bobRetry = http.post("/tx/payments", body(bob), "Idempotency-Key", bob);
    HttpResponse<String> aliceRetry =
        http.post("/tx/payments", body(alice), "Idempotency-Key", alice);

    assertThat(bobRetry.statusCode()).isEqualTo(500);
    assertThat(bobRetry.body()).contains("stored-response-unreadable").doesNotContain(alice);
    assertThat(aliceRetry.statusCode()).isEqualTo(201);
    assertThat(Http.replayed(aliceRetry)).isTrue();
    assertThat(aliceRetry.body()).contains(alice);
  }
}
