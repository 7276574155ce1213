package dev.idempo.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The module exports its one API package and needs only the core and java.sql. */
class ModuleTest {
  private final ModuleDescriptor descriptor =
      ModuleFinder.of(Path.of("target", "classes"))
          .find("dev.idempo.jdbc")
          .map(ModuleReference::descriptor)
          .orElseThrow(() -> new AssertionError("no module-info.class in target/classes"));

  @Test
  void exportsOnlyTheApiPackage() {
    assertEquals(
        Set.of("dev.idempo.jdbc"),
        descriptor.exports().stream()
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toSet()));
  }

  @Test
  void requiresOnlyTheCoreAndJavaSql() {
    assertEquals(
        Set.of("dev.idempo.core", "java.sql", "java.base"),
        descriptor.requires().stream()
            .map(ModuleDescriptor.Requires::name)
            .collect(Collectors.toSet()));
  }
}
