/**
 * Idempo for Spring Boot: auto-configuration of the executor, the servlet filter, the stores and
 * the {@link dev.idempo.spring.Idempotent} annotation.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.idempo.spring {
  requires transitive dev.idempo.servlet;
  requires transitive dev.idempo.jdbc;
  requires static dev.idempo.redis;
  requires static dev.idempo.webhooks;
  requires transitive spring.boot.autoconfigure;
  requires transitive spring.boot;
  requires spring.beans;
  requires transitive spring.context;
  requires transitive spring.core;
  requires spring.aop;
  requires spring.jcl;
  requires static spring.tx;
  requires static spring.jdbc;
  requires static spring.web;
  requires static spring.webmvc;
  requires static spring.data.redis;
  requires static lettuce.core;
  requires static com.fasterxml.jackson.databind;
  requires static micrometer.core;
  requires static spring.security.core;

  exports dev.idempo.spring;
  exports dev.idempo.spring.autoconfigure;
  exports dev.idempo.spring.micrometer;
  exports dev.idempo.spring.security;

  // Spring proxies the configuration classes and binds the properties by reflection.
  opens dev.idempo.spring.autoconfigure to
      spring.core,
      spring.beans,
      spring.context,
      spring.boot;
}
