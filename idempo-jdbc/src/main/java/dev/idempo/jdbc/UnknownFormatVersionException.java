package dev.idempo.jdbc;

import dev.idempo.store.StoredRecordUnreadableException;

/**
 * The database holds data in a format this version of idempo-jdbc does not read: a record whose
 * {@code format_version} is unknown, or a schema newer than this version creates. Written by a
 * newer (or foreign) writer; upgrade idempo-jdbc rather than overwrite it. The message names the
 * version found. A {@link StoredRecordUnreadableException}, so adapters answer it as an unreadable
 * record and never run the operation again.
 */
public class UnknownFormatVersionException extends StoredRecordUnreadableException {
  private static final long serialVersionUID = 1L;

  private final int version;

  UnknownFormatVersionException(String message, int version) {
    super(message);
    this.version = version;
  }

  /** The version found in the database. */
  public int version() {
    return version;
  }
}
