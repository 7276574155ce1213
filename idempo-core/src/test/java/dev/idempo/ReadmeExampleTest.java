package dev.idempo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The README's API example, compiled and run. Keep the two in step. */
class ReadmeExampleTest {
  private final AtomicInteger charges = new AtomicInteger();

  private String chargeCard(String order) {
    return "ch_" + charges.incrementAndGet() + " for " + order;
  }

  @Test
  void chargesOnceWhateverTheRetries() {
    String customerId = "cus_42";
    String idempotencyKeyHeader = "8e03978e-40d5-43e8-bc93-6894a57f9324";
    String body = "{\"order\":\"A-1001\",\"amount\":1000}";

    // --- README example ---
    IdempotencyStore store = InMemoryIdempotencyStore.create();
    Idempotency<String> payments = Idempotency.builder(store, ResultCodec.utf8()).build();

    Scope scope = Scope.of(customerId, "POST /charges");
    IdempotencyKey key = IdempotencyKey.of(idempotencyKeyHeader);
    Fingerprint request = Fingerprint.builder().add("body", body).build();

    ExecutionResult<String> charge =
        payments.execute(scope, key, request, context -> chargeCard("A-1001"));
    // --- end ---

    ExecutionResult<String> retry =
        payments.execute(scope, key, request, context -> chargeCard("A-1001"));
    assertFalse(charge.isReplayed());
    assertTrue(retry.isReplayed());
    assertEquals("ch_1 for A-1001", retry.value());
    assertEquals(1, charges.get());
  }
}
