package dev.idempo.http.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.testsupport.CompiledModule;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The HTTP contract suite exports its one package and needs the HTTP module, the store suite,
 * JUnit, the JDK's HTTP client and server, and (optionally) the servlet API.
 */
class ModuleTest {
  private final CompiledModule module = CompiledModule.named("dev.idempo.http.tck");

  @Test
  void exportsOnlyTheContractPackage() {
    assertEquals(Set.of("dev.idempo.http.tck"), module.exportedPackages());
  }

  @Test
  void requiresTheHttpModuleTheStoreSuiteJUnitAwaitilityAndTheJdkHttpModules() {
    assertEquals(
        Set.of(
            "java.base",
            "dev.idempo.http",
            "dev.idempo.store.tck",
            "jakarta.servlet",
            "java.net.http",
            "jdk.httpserver",
            "org.junit.jupiter.api",
            "org.junit.jupiter.params",
            "awaitility"),
        module.requiredModules());
  }
}
