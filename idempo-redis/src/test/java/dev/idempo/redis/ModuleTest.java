package dev.idempo.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.testsupport.CompiledModule;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Redis store exports its one API package and needs only the core and Lettuce. */
class ModuleTest {
  private final CompiledModule module = CompiledModule.named("dev.idempo.redis");

  @Test
  void exportsOnlyTheApiPackage() {
    assertEquals(Set.of("dev.idempo.redis"), module.exportedPackages());
  }

  @Test
  void requiresOnlyTheCoreAndLettuce() {
    assertEquals(Set.of("dev.idempo.core", "lettuce.core", "java.base"), module.requiredModules());
  }
}
