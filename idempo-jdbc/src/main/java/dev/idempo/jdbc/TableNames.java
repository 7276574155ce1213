package dev.idempo.jdbc;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The names of the tables (and sequence, index, triggers) a table prefix stands for. The prefix is
 * spliced into SQL unquoted, so it is validated here: a letter or underscore, then letters, digits
 * and underscores, at most {@value #MAX_PREFIX_LENGTH} characters (so every derived name stays
 * within PostgreSQL's 63-character identifiers). Unquoted names are case-insensitive in both
 * databases.
 */
record TableNames(String prefix) {
  static final String DEFAULT_PREFIX = "idempo_";
  static final int MAX_PREFIX_LENGTH = 40;
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  TableNames {
    if (prefix == null) {
      throw new NullPointerException("tablePrefix must not be null");
    }
    if (prefix.isEmpty() || prefix.length() > MAX_PREFIX_LENGTH) {
      throw new IllegalArgumentException(
          "tablePrefix must be 1 to " + MAX_PREFIX_LENGTH + " characters, was \"" + prefix + "\"");
    }
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "tablePrefix must start with a letter or underscore and hold only letters, digits and"
              + " underscores, was \""
              + prefix
              + "\"");
    }
  }

  /** The records: one row per live (or expired, not yet purged) storage key. */
  String records() {
    return prefix + "records";
  }

  /** The applied schema versions. */
  String schemaVersion() {
    return prefix + "schema_version";
  }

  /** PostgreSQL: the sequence fences come from. */
  String fenceSequence() {
    return prefix + "fence_seq";
  }

  /** SQLite: the one-row table holding the highest fence issued. */
  String fenceCounter() {
    return prefix + "fence_counter";
  }

  /** The prefix as both databases compare unquoted names: lower case. */
  String canonicalPrefix() {
    return prefix.toLowerCase(Locale.ROOT);
  }
}
