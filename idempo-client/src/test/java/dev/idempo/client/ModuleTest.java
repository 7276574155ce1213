package dev.idempo.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.testsupport.CompiledModule;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The client exports its one API package and needs only the core, the JDK's HTTP client and JDBC.
 */
class ModuleTest {
  private final CompiledModule module = CompiledModule.named("dev.idempo.client");

  @Test
  void exportsOnlyTheApiPackage() {
    assertEquals(Set.of("dev.idempo.client"), module.exportedPackages());
  }

  @Test
  void requiresOnlyTheCoreTheHttpClientAndJdbc() {
    assertEquals(
        Set.of("dev.idempo.core", "java.net.http", "java.sql", "java.base"),
        module.requiredModules());
  }
}
