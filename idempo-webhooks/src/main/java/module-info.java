/**
 * Idempo webhooks: verified, deduplicated webhook receivers. {@link
 * dev.idempo.webhooks.WebhookReceiver} verifies each delivery's signature (Stripe, Standard
 * Webhooks and Svix, GitHub, PayPal, generic HMAC), claims its event id and runs the handler once;
 * server adapters (the gateway, a servlet, Spring) only move bytes in and out.
 */
module dev.idempo.webhooks {
  requires transitive dev.idempo.core;
  requires transitive dev.idempo.http;
  requires transitive dev.idempo.jdbc;

  exports dev.idempo.webhooks;
}
