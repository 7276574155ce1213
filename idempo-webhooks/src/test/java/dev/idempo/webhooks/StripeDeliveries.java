package dev.idempo.webhooks;

import java.time.Instant;

/** Signed Stripe deliveries for receiver tests. */
final class StripeDeliveries {
  static final String SECRET = "whsec_receiver_test";
  static final String PATH = "/hooks/stripe";

  private StripeDeliveries() {}

  static String body(String eventId) {
    return "{\"id\":\"" + eventId + "\",\"object\":\"event\",\"type\":\"charge.succeeded\"}";
  }

  static WebhookRequest signed(String eventId, Instant at) {
    String body = body(eventId);
    return WebhookRequest.builder("POST", PATH)
        .header("Stripe-Signature", Signing.stripeHeader(SECRET, at.getEpochSecond(), body))
        .header("Content-Type", "application/json")
        .body(body)
        .build();
  }

  static StripeVerifier verifier() {
    return StripeVerifier.builder(Secret.of(SECRET)).build();
  }
}
