package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The HTTP module exports its one API package and needs only the core. */
class ModuleTest {
  private final ModuleDescriptor descriptor =
      ModuleFinder.of(Path.of("target", "classes"))
          .find("dev.idempo.http")
          .map(ModuleReference::descriptor)
          .orElseThrow(() -> new AssertionError("no module-info.class in target/classes"));

  @Test
  void exportsOnlyTheApiPackage() {
    assertEquals(
        Set.of("dev.idempo.http"),
        descriptor.exports().stream()
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toSet()));
  }

  @Test
  void requiresOnlyTheCore() {
    assertEquals(
        Set.of("java.base", "dev.idempo.core"),
        descriptor.requires().stream()
            .map(ModuleDescriptor.Requires::name)
            .collect(Collectors.toSet()));
  }
}
