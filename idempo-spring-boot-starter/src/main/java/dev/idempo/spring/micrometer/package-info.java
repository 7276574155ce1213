/**
 * Micrometer metrics for the starter: outcomes and store calls as {@code idempo.requests} and
 * {@code idempo.store.calls} (through the core's {@link dev.idempo.IdempotencyListener}), and
 * webhook deliveries as {@code idempo.webhooks.*} counters.
 */
package dev.idempo.spring.micrometer;
