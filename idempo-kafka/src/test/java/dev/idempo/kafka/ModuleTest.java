package dev.idempo.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.testsupport.CompiledModule;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Kafka module exports its one API package and needs only messaging and kafka-clients. */
class ModuleTest {
  private final CompiledModule module = CompiledModule.named("dev.idempo.kafka");

  @Test
  void exportsOnlyTheApiPackage() {
    assertEquals(Set.of("dev.idempo.kafka"), module.exportedPackages());
    assertEquals(Set.of(), module.qualifiedExports());
  }

  @Test
  void requiresOnlyWhatItUses() {
    assertEquals(
        Set.of("dev.idempo.messaging", "kafka.clients", "java.base"), module.requiredModules());
  }
}
