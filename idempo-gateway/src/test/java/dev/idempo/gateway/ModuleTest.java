package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.testsupport.CompiledModule;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Requires.Modifier;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The gateway is a library: it exports its one API package, runs on Jetty's own modules, and needs
 * no argument parser and no logging binding (those are the idempo command's).
 */
class ModuleTest {
  private final CompiledModule module = CompiledModule.named("dev.idempo.gateway");

  @Test
  void exportsOnlyTheApiPackage() {
    assertEquals(Set.of("dev.idempo.gateway"), module.exportedPackages());
  }

  @Test
  void requiresJettyNettyTheStoresAndTheLoggingApiButNoCommandLineOrLoggingBinding() {
    assertEquals(
        Set.of(
            "java.base",
            "java.sql",
            "dev.idempo.http",
            "dev.idempo.webhooks",
            "dev.idempo.jdbc",
            "dev.idempo.redis",
            "com.zaxxer.hikari",
            "lettuce.core",
            "micrometer.core",
            "micrometer.registry.prometheus",
            "io.netty.buffer",
            "io.netty.codec",
            "io.netty.codec.http",
            "io.netty.common",
            "io.netty.handler",
            "io.netty.transport",
            "io.netty.transport.classes.epoll",
            "org.eclipse.jetty.client",
            "org.eclipse.jetty.http",
            "org.eclipse.jetty.io",
            "org.eclipse.jetty.server",
            "org.eclipse.jetty.util",
            "org.slf4j"),
        module.requiredModules());
  }

  @Test
  void embeddersReadTheHttpApiTheConfigurationExposes() {
    ModuleDescriptor descriptor =
        ModuleFinder.of(Path.of("target", "classes"))
            .find("dev.idempo.gateway")
            .map(ModuleReference::descriptor)
            .orElseThrow();

    assertTrue(
        descriptor.requires().stream()
            .filter(requires -> requires.modifiers().contains(Modifier.TRANSITIVE))
            .anyMatch(requires -> requires.name().equals("dev.idempo.http")),
        descriptor.toString());
  }

  @Test
  void noArgumentParserComesWithTheLibrary() {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("picocli.CommandLine"));
  }
}
