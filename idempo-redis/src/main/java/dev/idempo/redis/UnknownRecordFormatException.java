package dev.idempo.redis;

import dev.idempo.store.StoredRecordUnreadableException;

/**
 * A record in Redis carries a format version this store cannot read (written by a newer Idempo, or
 * not by Idempo at all). The store refuses to guess: it changes nothing and throws this, a {@link
 * StoredRecordUnreadableException}.
 */
public class UnknownRecordFormatException extends StoredRecordUnreadableException {
  private static final long serialVersionUID = 1L;

  private final String version;

  /**
   * @param key the Redis key of the record, for the message
   * @param version the version found, or {@code null} if the hash has no version field
   */
  public UnknownRecordFormatException(String key, String version) {
    super(
        "Redis record "
            + key
            + (version == null
                ? " has no format version field (v)"
                : " has format version " + version)
            + "; this store reads format versions 1 and "
            + RedisRecordFormat.VERSION
            + " only (was it written by a newer Idempo, or by something else?)");
    this.version = version;
  }

  /** The version found, or {@code null} if the record has none. */
  public String version() {
    return version;
  }
}
