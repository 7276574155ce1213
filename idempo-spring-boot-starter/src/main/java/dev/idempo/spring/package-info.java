/**
 * Idempo for Spring Boot 3: {@link dev.idempo.spring.Idempotent} on Spring MVC handler methods,
 * with the filter, the store and the metrics auto-configured from {@code idempo.*} properties
 * (see {@code dev.idempo.spring.autoconfigure.IdempoProperties}).
 */
package dev.idempo.spring;
