/**
 * Auto-configuration behind {@link dev.idempo.kafka.spring.IdempotentListener}: the advisor that
 * wraps annotated listeners, the record interceptor that remembers the record being delivered,
 * and the {@code idempo.kafka.*} properties.
 */
package dev.idempo.kafka.spring.autoconfigure;
