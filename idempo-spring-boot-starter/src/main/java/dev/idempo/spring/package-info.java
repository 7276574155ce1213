/**
 * Idempo for Spring Boot 3: {@link dev.idempo.spring.Idempotent} on Spring MVC handler methods,
 * with the filter, the store and the metrics auto-configured from {@code idempo.*} properties (see
 * {@code dev.idempo.spring.autoconfigure.IdempoProperties}); with {@code idempo-webhooks} on the
 * class path, verified and deduplicated webhook endpoints: {@link
 * dev.idempo.spring.WebhookEndpoint} methods or {@link dev.idempo.spring.WebhookRegistration}
 * beans, configured by {@code idempo.webhooks.*}.
 */
package dev.idempo.spring;
