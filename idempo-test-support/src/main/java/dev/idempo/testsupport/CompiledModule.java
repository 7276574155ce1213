package dev.idempo.testsupport;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The module descriptor a module's build compiled into {@code target/classes}, for the test that
 * pins what the module exports and requires. Immutable and thread-safe.
 */
public final class CompiledModule {
  private final ModuleDescriptor descriptor;

  private CompiledModule(ModuleDescriptor descriptor) {
    this.descriptor = descriptor;
  }

  /**
   * The module named {@code name} in the working directory's {@code target/classes}.
   *
   * @throws AssertionError if there is no {@code module-info.class} for that name
   */
  public static CompiledModule named(String name) {
    return new CompiledModule(
        ModuleFinder.of(Path.of("target", "classes"))
            .find(name)
            .map(ModuleReference::descriptor)
            .filter(descriptor -> descriptor.name().equals(name))
            .orElseThrow(
                () ->
                    new AssertionError("no module-info.class for " + name + " in target/classes")));
  }

  /** The exported packages, qualified exports included. */
  public Set<String> exportedPackages() {
    return descriptor.exports().stream()
        .map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toSet());
  }

  /** The packages exported only to named modules. */
  public Set<String> qualifiedExports() {
    return descriptor.exports().stream()
        .filter(ModuleDescriptor.Exports::isQualified)
        .map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toSet());
  }

  /** The required modules, {@code java.base} included. */
  public Set<String> requiredModules() {
    return descriptor.requires().stream()
        .map(ModuleDescriptor.Requires::name)
        .collect(Collectors.toSet());
  }

  /** Every package of the module, exported or not. */
  public Set<String> packages() {
    return descriptor.packages();
  }
}
