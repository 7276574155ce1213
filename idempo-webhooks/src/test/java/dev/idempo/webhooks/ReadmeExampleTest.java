package dev.idempo.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.http.CapturedResponse;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The README's webhook example, compiled and run. Keep the two in step. */
class ReadmeExampleTest {
  private final List<String> payments = new CopyOnWriteArrayList<>();

  private void recordPayment(String eventId, String json) {
    payments.add(eventId + " " + json);
  }

  @Test
  void aStripeEventDeliveredTwiceIsRecordedOnce() {
    Map<String, String> environment = Map.of("STRIPE_WEBHOOK_SECRET", "whsec_readme");
    String body = "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\"}";
    String signature = Signing.stripeHeader("whsec_readme", Instant.now().getEpochSecond(), body);
    Map<String, List<String>> headers = Map.of("Stripe-Signature", List.of(signature));
    byte[] rawBody = body.getBytes(StandardCharsets.UTF_8);

    IdempotencyStore store = InMemoryIdempotencyStore.create();
    // The README reads the process environment, which a test cannot set.
    Secret secret = Secret.fromEnvironment("STRIPE_WEBHOOK_SECRET", environment);

    // --- README example (Secret.fromEnvironment("STRIPE_WEBHOOK_SECRET") there) ---
    WebhookReceiver receiver =
        WebhookReceiver.builder(store)
            .endpoint(
                "/hooks/stripe",
                StripeVerifier.builder(secret).build(),
                event -> recordPayment(event.id(), event.bodyAsString()))
            .build();

    CapturedResponse answer =
        receiver.receive(WebhookRequest.of("POST", "/hooks/stripe", headers, rawBody));
    // --- end ---

    CapturedResponse retry =
        receiver.receive(WebhookRequest.of("POST", "/hooks/stripe", headers, rawBody));
    assertEquals(200, answer.status());
    assertEquals(200, retry.status());
    assertEquals("true", retry.header("Idempotent-Replayed").orElseThrow());
    assertEquals(List.of("evt_1 " + body), payments);
  }
}
