/**
 * The Idempo gateway as a library: {@link dev.idempo.gateway.Gateway}, built from a {@link
 * dev.idempo.gateway.GatewayConfig}, is a reverse proxy on Jetty 12 or Netty 4.1 that gives any
 * HTTP service Idempotency-Key semantics. It opens its store from a {@link
 * dev.idempo.gateway.StoreLocation} (memory, SQLite, Redis, PostgreSQL; the JDBC drivers are found
 * as {@code java.sql.Driver} services) or takes any store. Logs through SLF4J with no binding; no
 * argument parsing (that is the {@code idempo} command's).
 */
// Lettuce, Micrometer and Netty are automatic modules, named by their manifests'
// Automatic-Module-Name.
@SuppressWarnings("requires-automatic")
module dev.idempo.gateway {
  requires transitive dev.idempo.http;
  requires transitive dev.idempo.webhooks; // GatewayConfig.webhook takes its endpoint specs
  requires dev.idempo.jdbc;
  requires dev.idempo.redis;
  requires java.sql;
  requires com.zaxxer.hikari;
  requires lettuce.core;
  requires micrometer.core;
  requires micrometer.registry.prometheus;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.common;
  requires io.netty.handler;
  requires io.netty.transport;
  requires io.netty.transport.classes.epoll;
  requires org.eclipse.jetty.client;
  requires org.eclipse.jetty.http;
  requires org.eclipse.jetty.io;
  requires org.eclipse.jetty.server;
  requires org.eclipse.jetty.util;
  requires org.slf4j;

  exports dev.idempo.gateway;
}
