/**
 * Verified, deduplicated webhook receivers. A {@link dev.idempo.webhooks.WebhookReceiver} maps
 * paths to a {@link dev.idempo.webhooks.WebhookVerifier} (Stripe, Standard Webhooks and Svix,
 * GitHub, PayPal, generic HMAC) and a handler; each verified event id is claimed in an idempotency
 * store so its handler runs once, however often the sender delivers it. Secrets come from {@link
 * dev.idempo.webhooks.Secret}, which never prints its value; metrics from a {@link
 * dev.idempo.webhooks.WebhookListener}.
 */
package dev.idempo.webhooks;
