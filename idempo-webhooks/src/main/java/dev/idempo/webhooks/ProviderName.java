package dev.idempo.webhooks;

/** Checks provider names: they appear in deduplication keys, metrics and problem details. */
final class ProviderName {
  private ProviderName() {}

  /**
   * @throws IllegalArgumentException if {@code name} is not 1 to 64 of a-z, 0-9, '-', '_', '.'
   */
  static String check(String name) {
    if (name == null) {
      throw new NullPointerException("provider must not be null");
    }
    if (name.isEmpty() || name.length() > 64 || !name.matches("[a-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "provider must be 1 to 64 characters of a-z, 0-9, '.', '_' or '-', was \"" + name + "\"");
    }
    return name;
  }
}
