package dev.idempo.gateway;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the gateway keeps its records, as the {@code --store} flag names it:
 *
 * <ul>
 *   <li>{@code memory}: in this process only, lost on restart; one instance only;
 *   <li>{@code sqlite:PATH}: a SQLite file (its directory is created), durable across restarts;
 *       one process per file;
 *   <li>{@code redis://HOST:PORT} (or {@code rediss://}, with optional password and database as
 *       Lettuce reads them): shared by any number of gateways;
 *   <li>{@code jdbc:postgresql://HOST:PORT/DATABASE?user=…&password=…}: shared by any number of
 *       gateways.
 * </ul>
 *
 * <p>{@link #toString()} hides passwords. Immutable and thread-safe.
 */
public final class StoreLocation {
  /** The default: {@code sqlite:./idempo-data/idempo.db}. */
  public static final StoreLocation DEFAULT = parse("sqlite:./idempo-data/idempo.db");

  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile("(?i)((?:^|[?&;])password=)[^&;]*");
  private static final Pattern URI_USER_INFO = Pattern.compile("(?i)^([a-z:]+://)[^@/]*@");

  /** The kinds of store. */
  public enum Kind {
    MEMORY,
    SQLITE,
    REDIS,
    POSTGRESQL
  }

  private final Kind kind;
  private final String location;

  private StoreLocation(Kind kind, String location) {
    this.kind = kind;
    this.location = location;
  }

  /**
   * Reads a store location.
   *
   * @throws IllegalArgumentException naming the text if it is none of the forms above
   */
  public static StoreLocation parse(String text) {
    Objects.requireNonNull(text, "store location must not be null");
    String trimmed = text.trim();
    String lower = trimmed.toLowerCase(Locale.ROOT);
    if (lower.equals("memory")) {
      return new StoreLocation(Kind.MEMORY, "memory");
    }
    if (lower.startsWith("sqlite:")) {
      String path = trimmed.substring("sqlite:".length());
      if (path.isBlank()) {
        throw new IllegalArgumentException("store sqlite: needs a file path, e.g. sqlite:./idempo-data/idempo.db");
      }
      try {
        Path.of(path);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("store " + text + " does not name a file: " + e.getMessage(), e);
      }
      return new StoreLocation(Kind.SQLITE, trimmed);
    }
    if (lower.startsWith("redis://") || lower.startsWith("rediss://")) {
      if (trimmed.length() <= lower.indexOf("://") + 3) {
        throw new IllegalArgumentException("store " + text + " needs a host, e.g. redis://127.0.0.1:6379");
      }
      return new StoreLocation(Kind.REDIS, trimmed);
    }
    if (lower.startsWith("jdbc:postgresql://")) {
      return new StoreLocation(Kind.POSTGRESQL, trimmed);
    }
    throw new IllegalArgumentException(
        "store must be memory, sqlite:PATH, redis://HOST:PORT or jdbc:postgresql://HOST:PORT/DATABASE; was '"
            + redact(text)
            + "'");
  }

  /** An in-memory store. */
  public static StoreLocation memory() {
    return parse("memory");
  }

  /** A SQLite file. */
  public static StoreLocation sqlite(Path file) {
    return parse("sqlite:" + Objects.requireNonNull(file, "file must not be null"));
  }

  public Kind kind() {
    return kind;
  }

  /** True when several gateway processes may share this store (Redis, PostgreSQL). */
  public boolean isShared() {
    return kind == Kind.REDIS || kind == Kind.POSTGRESQL;
  }

  /** The location as given, password included: for opening the store, never for printing. */
  String location() {
    return location;
  }

  /** The file of a SQLite store. */
  Path sqliteFile() {
    if (kind != Kind.SQLITE) {
      throw new IllegalStateException("not a SQLite store: " + this);
    }
    return Path.of(location.substring("sqlite:".length()));
  }

  /** The location with any password replaced by {@code ***}. */
  @Override
  public String toString() {
    return redact(location);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StoreLocation && ((StoreLocation) other).location.equals(location);
  }

  @Override
  public int hashCode() {
    return location.hashCode();
  }

  private static String redact(String text) {
    String redacted = PASSWORD_PARAMETER.matcher(text).replaceAll("$1***");
    return URI_USER_INFO.matcher(redacted).replaceFirst("$1***@");
  }
}
