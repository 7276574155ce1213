package dev.idempo.gateway;

import dev.idempo.store.InMemoryIdempotencyStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the gateway keeps its records, as the {@code --store} flag names it:
 *
 * <ul>
 *   <li>{@code memory} or {@code memory:RECORDS}: in this process only, lost on restart, never
 *       shared between gateways; at most RECORDS records (1 to 100,000,000; 100,000 by default). A
 *       record is never dropped inside its retention to make room: when the store is full, requests
 *       with new keys get 503 {@code store-unavailable} until records expire;
 *   <li>{@code sqlite:PATH}: a SQLite file (its directory is created), durable across restarts; one
 *       process per file;
 *   <li>{@code redis://HOST:PORT} (or {@code rediss://}, with optional password and database as
 *       Lettuce reads them): shared by any number of gateways;
 *   <li>{@code redis-cluster://HOST:PORT,HOST:PORT,...} (or {@code rediss-cluster://}, with
 *       optional {@code :PASSWORD@} before the first node): a Redis Cluster, reached through any of
 *       the listed seed nodes; shared by any number of gateways;
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
  private static final Pattern URI_USER_INFO = Pattern.compile("(?i)^([a-z:-]+://)[^@/]*@");

  /** The kinds of store. */
  public enum Kind {
    MEMORY,
    SQLITE,
    REDIS,
    /** A Redis Cluster: {@code redis-cluster://HOST:PORT,HOST:PORT}. */
    REDIS_CLUSTER,
    POSTGRESQL
  }

  private final Kind kind;
  private final String location;
  private final int memoryCapacity;

  private StoreLocation(Kind kind, String location) {
    this(kind, location, InMemoryIdempotencyStore.DEFAULT_MAX_RECORDS);
  }

  private StoreLocation(Kind kind, String location, int memoryCapacity) {
    this.kind = kind;
    this.location = location;
    this.memoryCapacity = memoryCapacity;
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
    if (lower.startsWith("memory:")) {
      return memory(trimmed, trimmed.substring("memory:".length()));
    }
    if (lower.startsWith("sqlite:")) {
      String path = trimmed.substring("sqlite:".length());
      if (path.isBlank()) {
        throw new IllegalArgumentException(
            "store sqlite: needs a file path, e.g. sqlite:./idempo-data/idempo.db");
      }
      try {
        Path unused = Path.of(path); // parsed only to refuse what names no file
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "store " + text + " does not name a file: " + e.getMessage(), e);
      }
      return new StoreLocation(Kind.SQLITE, trimmed);
    }
    if (lower.startsWith("redis://") || lower.startsWith("rediss://")) {
      if (trimmed.length() <= lower.indexOf("://") + 3) {
        throw new IllegalArgumentException(
            "store " + text + " needs a host, e.g. redis://127.0.0.1:6379");
      }
      return new StoreLocation(Kind.REDIS, trimmed);
    }
    if (lower.startsWith("redis-cluster://") || lower.startsWith("rediss-cluster://")) {
      return cluster(text, trimmed);
    }
    if (lower.startsWith("jdbc:postgresql://")) {
      return new StoreLocation(Kind.POSTGRESQL, trimmed);
    }
    throw new IllegalArgumentException(
        "store must be memory, sqlite:PATH, redis://HOST:PORT or"
            + " jdbc:postgresql://HOST:PORT/DATABASE (or memory:RECORDS for a memory store of that"
            + " capacity, or redis-cluster://HOST:PORT,HOST:PORT for a Redis Cluster); was '"
            + redact(text)
            + "'");
  }

  private static StoreLocation memory(String text, String records) {
    long capacity = -1;
    boolean digits = records.chars().allMatch(c -> c >= '0' && c <= '9');
    if (!records.isEmpty() && records.length() <= 10 && digits) {
      capacity = Long.parseLong(records);
    }
    if (capacity < 1 || capacity > InMemoryIdempotencyStore.MAX_RECORDS_LIMIT) {
      throw new IllegalArgumentException(
          "store "
              + text
              + ": the number after memory: is the most records kept, a whole number"
              + " from 1 to "
              + InMemoryIdempotencyStore.MAX_RECORDS_LIMIT
              + ", e.g. memory:200000");
    }
    return new StoreLocation(Kind.MEMORY, "memory:" + capacity, (int) capacity);
  }

  /** Checks that every seed of a cluster location is HOST:PORT with a port from 1 to 65535. */
  private static StoreLocation cluster(String text, String trimmed) {
    String nodes = trimmed.substring(trimmed.indexOf("://") + 3);
    int at = nodes.lastIndexOf('@');
    nodes = nodes.substring(at + 1);
    int slash = nodes.indexOf('/');
    if (slash >= 0) {
      throw new IllegalArgumentException(
          "store "
              + redact(text)
              + ": a Redis Cluster has no database number; give only the seed"
              + " nodes, e.g. redis-cluster://10.0.0.1:7000,10.0.0.2:7000");
    }
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException(
          "store "
              + redact(text)
              + " needs at least one seed node, e.g."
              + " redis-cluster://10.0.0.1:7000,10.0.0.2:7000");
    }
    for (String node : nodes.split(",", -1)) {
      int colon = node.lastIndexOf(':');
      String port = colon < 0 ? "" : node.substring(colon + 1);
      boolean valid =
          colon > 0
              && !port.isEmpty()
              && port.length() <= 5
              && port.chars().allMatch(c -> c >= '0' && c <= '9')
              && Integer.parseInt(port) >= 1
              && Integer.parseInt(port) <= 65535;
      if (!valid) {
        throw new IllegalArgumentException(
            "store "
                + redact(text)
                + ": seed node '"
                + node
                + "' is not HOST:PORT (port 1 to"
                + " 65535); write redis-cluster://HOST:PORT,HOST:PORT");
      }
    }
    return new StoreLocation(Kind.REDIS_CLUSTER, trimmed);
  }

  /**
   * The seed nodes of a Redis Cluster location, each as a Lettuce URI ({@code redis://} or {@code
   * rediss://}, with the location's password).
   */
  List<String> clusterSeeds() {
    if (kind != Kind.REDIS_CLUSTER) {
      throw new IllegalStateException("not a Redis Cluster store: " + this);
    }
    boolean tls = location.toLowerCase(Locale.ROOT).startsWith("rediss");
    String scheme = tls ? "rediss://" : "redis://";
    String nodes = location.substring(location.indexOf("://") + 3);
    int at = nodes.lastIndexOf('@');
    String userInfo = at < 0 ? "" : nodes.substring(0, at + 1);
    return Arrays.stream(nodes.substring(at + 1).split(","))
        .map(node -> scheme + userInfo + node)
        .toList();
  }

  /** An in-memory store of the default capacity. */
  public static StoreLocation memory() {
    return parse("memory");
  }

  /** An in-memory store holding at most {@code records} records. */
  public static StoreLocation memory(int records) {
    return parse("memory:" + records);
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
    return kind == Kind.REDIS || kind == Kind.REDIS_CLUSTER || kind == Kind.POSTGRESQL;
  }

  /**
   * The most records an in-memory store holds: the number after {@code memory:}, or 100,000.
   * Meaningless for other kinds.
   */
  public int memoryCapacity() {
    return memoryCapacity;
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
    return other instanceof StoreLocation storeLocation && storeLocation.location.equals(location);
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
