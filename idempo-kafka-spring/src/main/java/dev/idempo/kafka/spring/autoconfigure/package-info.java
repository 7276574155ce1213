/**
 * Auto-configuration behind {@link dev.idempo.kafka.spring.IdempotentListener}: registers the
 * advisor that wraps annotated listeners and the record interceptor that remembers the record being
 * delivered, and binds the {@code idempo.kafka.*} properties.
 */
package dev.idempo.kafka.spring.autoconfigure;
