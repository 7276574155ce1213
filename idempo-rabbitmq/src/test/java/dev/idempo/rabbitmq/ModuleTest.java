package dev.idempo.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.testsupport.CompiledModule;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The RabbitMQ module exports its one API package and needs only messaging and amqp-client. */
class ModuleTest {
  private final CompiledModule module = CompiledModule.named("dev.idempo.rabbitmq");

  @Test
  void exportsOnlyTheApiPackage() {
    assertEquals(Set.of("dev.idempo.rabbitmq"), module.exportedPackages());
    assertEquals(Set.of(), module.qualifiedExports());
  }

  @Test
  void requiresOnlyWhatItUses() {
    assertEquals(
        Set.of("dev.idempo.messaging", "com.rabbitmq.client", "java.base"),
        module.requiredModules());
  }
}
