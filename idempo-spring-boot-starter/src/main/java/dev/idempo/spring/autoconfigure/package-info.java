/**
 * Spring Boot auto-configuration of Idempo: {@link
 * dev.idempo.spring.autoconfigure.IdempoAutoConfiguration} (store, {@code @Idempotent} handlers,
 * filter, transactional mode), {@link
 * dev.idempo.spring.autoconfigure.IdempoMetricsAutoConfiguration} and the {@code idempo.*}
 * properties, {@link dev.idempo.spring.autoconfigure.IdempoProperties}. Everything else in this
 * package is internal.
 */
package dev.idempo.spring.autoconfigure;
