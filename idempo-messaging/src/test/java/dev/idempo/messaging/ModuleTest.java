package dev.idempo.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.testsupport.CompiledModule;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The messaging module exports its one API package; Micrometer and the client are optional. */
class ModuleTest {
  private final CompiledModule module = CompiledModule.named("dev.idempo.messaging");

  @Test
  void exportsOnlyTheApiPackage() {
    assertEquals(Set.of("dev.idempo.messaging"), module.exportedPackages());
    assertEquals(Set.of(), module.qualifiedExports());
  }

  @Test
  void requiresOnlyWhatItUses() {
    assertEquals(
        Set.of(
            "dev.idempo.core",
            "dev.idempo.jdbc",
            "java.sql",
            "micrometer.core",
            "dev.idempo.client",
            "java.base"),
        module.requiredModules());
  }
}
