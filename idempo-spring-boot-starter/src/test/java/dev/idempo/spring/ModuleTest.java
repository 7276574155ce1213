package dev.idempo.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.testsupport.CompiledModule;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The starter exports its annotation, its auto-configuration and the optional integrations, and
 * needs Spring only as the modules its manifests name; the optional integrations are {@code
 * requires static}, present when the application brings them.
 */
class ModuleTest {
  private final CompiledModule module = CompiledModule.named("dev.idempo.spring");

  @Test
  void exportsTheAnnotationTheAutoConfigurationAndTheIntegrations() {
    assertEquals(
        Set.of(
            "dev.idempo.spring",
            "dev.idempo.spring.autoconfigure",
            "dev.idempo.spring.micrometer",
            "dev.idempo.spring.security"),
        module.exportedPackages());
  }

  @Test
  void requiresTheServletFilterJdbcAndSpringAndOptionallyTheIntegrations() {
    assertEquals(
        Set.of(
            "java.base",
            "dev.idempo.servlet",
            "dev.idempo.jdbc",
            "dev.idempo.redis",
            "dev.idempo.webhooks",
            "spring.boot.autoconfigure",
            "spring.boot",
            "spring.beans",
            "spring.context",
            "spring.core",
            "spring.aop",
            "spring.jcl",
            "spring.tx",
            "spring.jdbc",
            "spring.web",
            "spring.webmvc",
            "spring.data.redis",
            "lettuce.core",
            "com.fasterxml.jackson.databind",
            "micrometer.core",
            "spring.security.core"),
        module.requiredModules());
  }
}
