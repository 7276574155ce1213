package dev.idempo.example.payments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A payments API whose charges happen once however often a client retries: {@code POST /payments}
 * with an {@code Idempotency-Key}. Charges live in SQLite under {@code ./idempo-data/} (or in
 * PostgreSQL with the {@code postgres} profile), and so do the keys, in the same transaction.
 *
 * <pre>
 * ./mvnw -q install -DskipTests
 * ./mvnw -pl idempo-example-payments spring-boot:run
 * curl -i localhost:8080/payments -H 'Idempotency-Key: order-1001' \
 *      -H 'Authorization: Bearer cus_42' -H 'Content-Type: application/json' \
 *      -d '{"customer":"cus_42","amountCents":1999,"currency":"EUR"}'
 * </pre>
 *
 * <p>Keys are scoped by the caller's {@code Authorization} header (the starter's default tenant): a
 * keyed request without one gets 400 {@code tenant-required}.
 */
@SpringBootApplication
public class PaymentsApplication {
  public static void main(String[] args) throws IOException {
    Files.createDirectories(Path.of("idempo-data")); // where the default SQLite database lives
    SpringApplication.run(PaymentsApplication.class, args);
  }
}
