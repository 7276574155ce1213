package dev.idempo.example.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The payments API on a random port, on a fresh SQLite file: a retried POST charges once. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PaymentsApplicationTest {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @LocalServerPort int port;
  @Autowired Charges charges;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry properties) throws IOException {
    Path directory = Files.createTempDirectory("payments-test");
    properties.add(
        "spring.datasource.url",
        () ->
            "jdbc:sqlite:"
                + directory.resolve("payments.db")
                + "?journal_mode=WAL&busy_timeout=10000");
  }

  private HttpRequest charge(String key, String customer) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/payments"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + customer) // whose key it is: the default tenant
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"customer\":\""
                        + customer
                        + "\",\"amountCents\":1999,\"currency\":\"EUR\"}"));
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return request.build();
  }

  private HttpResponse<String> send(HttpRequest request) throws Exception {
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRetriedPaymentChargesOnceAndAnswersTheSame() throws Exception {
    String customer = "cus_" + UUID.randomUUID();
    HttpResponse<String> first = send(charge("order-1001", customer));
    HttpResponse<String> retry = send(charge("order-1001", customer));

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
    assertThat(retry.body()).isEqualTo(first.body());
    assertThat(retry.headers().firstValue("Location"))
        .isEqualTo(first.headers().firstValue("Location"));
    assertThat(charges.countFor(customer)).isEqualTo(1);

    HttpResponse<String> nextOrder = send(charge("order-1002", customer));
    assertThat(nextOrder.statusCode()).isEqualTo(201);
    assertThat(nextOrder.body()).isNotEqualTo(first.body());
    assertThat(charges.countFor(customer)).isEqualTo(2);
  }

  @Test
  void concurrentRetriesOfOnePaymentChargeOnce() throws Exception {
    String customer = "cus_" + UUID.randomUUID();
    List<CompletableFuture<HttpResponse<String>>> retries = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      retries.add(
          CLIENT.sendAsync(charge("double-click", customer), HttpResponse.BodyHandlers.ofString()));
    }
    List<String> bodies = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> retry : retries) {
      HttpResponse<String> response = retry.get();
      assertThat(response.statusCode()).isEqualTo(201);
      bodies.add(response.body());
    }

    assertThat(bodies).allSatisfy(body -> assertThat(body).isEqualTo(bodies.get(0)));
    assertThat(charges.countFor(customer)).isEqualTo(1);
  }

  @Test
  void aPaymentWithoutAKeyIsRefused() throws Exception {
    String customer = "cus_" + UUID.randomUUID();
    HttpResponse<String> refused = send(charge(null, customer));

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("urn:idempo:problem:key-missing");
    assertThat(charges.countFor(customer)).isZero();
  }
}
