package dev.idempo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The core exports its API packages and nothing else, and needs no module but java.base. */
class ModuleTest {
  private final ModuleDescriptor descriptor =
      ModuleFinder.of(Path.of("target", "classes"))
          .find("dev.idempo.core")
          .map(ModuleReference::descriptor)
          .orElseThrow(() -> new AssertionError("no module-info.class in target/classes"));

  @Test
  void exportsOnlyTheApiPackages() {
    Set<String> exported =
        descriptor.exports().stream()
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toSet());

    assertEquals(Set.of("dev.idempo", "dev.idempo.store", "dev.idempo.internal"), exported);
    Set<String> qualified =
        descriptor.exports().stream()
            .filter(ModuleDescriptor.Exports::isQualified)
            .map(export -> export.source() + " to " + export.targets())
            .collect(Collectors.toSet());
    assertEquals(
        Set.of("dev.idempo.internal to [dev.idempo.jdbc]"),
        qualified,
        "internals reach only the JDBC module");
  }

  @Test
  void requiresNothingButJavaBase() {
    Set<String> required =
        descriptor.requires().stream()
            .map(ModuleDescriptor.Requires::name)
            .collect(Collectors.toSet());

    assertEquals(Set.of("java.base"), required);
  }
}
