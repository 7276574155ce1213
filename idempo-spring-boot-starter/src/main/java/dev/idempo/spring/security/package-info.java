/**
 * Idempo with Spring Security: {@link dev.idempo.spring.security.SpringSecurityTenantSource} scopes
 * keys by the authenticated principal. Used only when Spring Security is on the class path.
 */
package dev.idempo.spring.security;
