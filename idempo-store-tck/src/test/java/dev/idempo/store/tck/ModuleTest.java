package dev.idempo.store.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.testsupport.CompiledModule;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The store contract suite exports its one package and needs only the core and JUnit's API. */
class ModuleTest {
  private final CompiledModule module = CompiledModule.named("dev.idempo.store.tck");

  @Test
  void exportsOnlyTheContractPackage() {
    assertEquals(Set.of("dev.idempo.store.tck"), module.exportedPackages());
  }

  @Test
  void requiresOnlyTheCoreAndJUnit() {
    assertEquals(
        Set.of("dev.idempo.core", "org.junit.jupiter.api", "java.base"), module.requiredModules());
  }
}
