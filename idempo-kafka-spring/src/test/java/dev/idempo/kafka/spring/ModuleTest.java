package dev.idempo.kafka.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.testsupport.CompiledModule;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Spring Kafka module exports the annotation package and its auto-configuration only. */
class ModuleTest {
  private final CompiledModule module = CompiledModule.named("dev.idempo.kafka.spring");

  @Test
  void exportsTheAnnotationAndTheAutoConfiguration() {
    assertEquals(
        Set.of("dev.idempo.kafka.spring", "dev.idempo.kafka.spring.autoconfigure"),
        module.exportedPackages());
    assertEquals(Set.of(), module.qualifiedExports());
  }
}
