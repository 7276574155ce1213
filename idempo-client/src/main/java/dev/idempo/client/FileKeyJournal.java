package dev.idempo.client;

import dev.idempo.Fingerprint;
import dev.idempo.IdempotencyKey;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link KeyJournal} in a directory: one small text file per operation, named by the SHA-256 of
 * the operation id.
 *
 * <p>Durability: an entry is written to a temporary file, forced to disk ({@link
 * FileChannel#force(boolean) force(true)}), atomically renamed into place, and the directory is
 * forced too, all before {@link #reserve} returns; a crash leaves either the old entry or the new
 * one, never a torn file (stray temporary files are removed by {@link #purgeExpired()}).
 *
 * <p>Atomicity: writers take an exclusive {@link FileLock} on {@code journal.lock} in the directory
 * (and a monitor within this JVM), so threads and processes sharing the directory on a local file
 * system see first-writer-wins. Readers take no lock: a rename is atomic. Network file systems
 * whose locks are unreliable are not supported.
 *
 * <p>Defaults: retention 24 hours, system clock. Thread-safe.
 */
public final class FileKeyJournal implements KeyJournal {
  /** The retention limit: a year. */
  public static final Duration MAX_RETENTION = Duration.ofDays(365);

  private static final String LOCK_FILE = "journal.lock";
  private static final String ENTRY_SUFFIX = ".entry";
  private static final String TEMP_SUFFIX = ".tmp";
  private static final String FORMAT_LINE = "idempo-key-journal 1";
  private static final ConcurrentHashMap<Path, Object> MONITORS = new ConcurrentHashMap<>();

  private final Path directory;
  private final Duration retention;
  private final InstantSource clock;
  private final Object monitor;

  private FileKeyJournal(Builder builder) {
    try {
      Files.createDirectories(builder.directory);
      this.directory = builder.directory.toRealPath();
    } catch (IOException e) {
      throw new JournalUnavailableException(
          "cannot create the key journal directory " + builder.directory + ": " + e, e);
    }
    this.retention = builder.retention;
    this.clock = builder.clock;
    this.monitor = MONITORS.computeIfAbsent(directory, path -> new Object());
  }

  /** A journal in {@code directory}, created if missing, with the defaults. */
  public static FileKeyJournal open(Path directory) {
    return builder(directory).build();
  }

  /**
   * A builder for a journal in {@code directory}, created if missing.
   *
   * @throws NullPointerException if {@code directory} is null
   */
  public static Builder builder(Path directory) {
    return new Builder(Checks.notNull(directory, "directory"));
  }

  public Path directory() {
    return directory;
  }

  public Duration retention() {
    return retention;
  }

  @Override
  public JournalEntry reserve(
      String operationId, IdempotencyKey candidateKey, Fingerprint fingerprint) {
    Checks.operationId(operationId);
    Checks.notNull(candidateKey, "candidateKey");
    Checks.notNull(fingerprint, "fingerprint");
    Path file = entryFile(operationId);
    return underLock(
        "record operation '" + operationId + "' in",
        () -> {
          Instant now = now();
          Optional<JournalEntry> existing = read(file, operationId);
          if (existing.isPresent() && existing.get().isLiveAt(now)) {
            return existing.get().requireSameRequest(fingerprint);
          }
          JournalEntry entry =
              new JournalEntry(operationId, candidateKey, fingerprint, now, now.plus(retention));
          write(file, entry);
          return entry;
        });
  }

  @Override
  public Optional<JournalEntry> find(String operationId) {
    Checks.operationId(operationId);
    try {
      return read(entryFile(operationId), operationId).filter(entry -> entry.isLiveAt(now()));
    } catch (IOException e) {
      throw unavailable("read operation '" + operationId + "' from", e);
    }
  }

  @Override
  public boolean remove(String operationId) {
    Checks.operationId(operationId);
    return underLock(
        "remove operation '" + operationId + "' from",
        () -> {
          boolean removed = Files.deleteIfExists(entryFile(operationId));
          if (removed) {
            forceDirectory();
          }
          return removed;
        });
  }

  @Override
  public int purgeExpired() {
    return underLock(
        "purge expired entries from",
        () -> {
          Instant now = now();
          int purged = 0;
          try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
              String name = file.getFileName().toString();
              if (name.endsWith(TEMP_SUFFIX)) {
                // Under the lock nobody is writing: a temporary file is what a crash left behind.
                Files.deleteIfExists(file);
              } else if (name.endsWith(ENTRY_SUFFIX)) {
                Optional<JournalEntry> entry = read(file, null);
                if (entry.isPresent() && !entry.get().isLiveAt(now)) {
                  Files.deleteIfExists(file);
                  purged++;
                }
              }
            }
          }
          if (purged > 0) {
            forceDirectory();
          }
          return purged;
        });
  }

  @Override
  public String toString() {
    return "FileKeyJournal[" + directory + ", retention=" + retention + "]";
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  @FunctionalInterface
  private interface LockedWork<R> {
    R run() throws IOException;
  }

  /**
   * Runs {@code work} holding this JVM's monitor for the directory (a {@link FileLock} is held per
   * JVM, not per thread) and the cross-process lock on {@code journal.lock}.
   */
  private <R> R underLock(String action, LockedWork<R> work) {
    synchronized (monitor) {
      try (FileChannel lockChannel =
          FileChannel.open(
              directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        FileLock lock = lockChannel.lock();
        try {
          return work.run();
        } finally {
          lock.release();
        }
      } catch (IOException e) {
        throw unavailable(action, e);
      }
    }
  }

  private Path entryFile(String operationId) {
    return directory.resolve(HexFormat.of().formatHex(sha256(operationId)) + ENTRY_SUFFIX);
  }

  private void write(Path file, JournalEntry entry) throws IOException {
    String text =
        FORMAT_LINE
            + "\noperation-id="
            + URLEncoder.encode(entry.operationId(), StandardCharsets.UTF_8)
            + "\nkey="
            + entry.key().value()
            + "\nfingerprint="
            + entry.fingerprint().toHex()
            + "\ncreated-at="
            + entry.createdAt()
            + "\n";
    Path temp = directory.resolve("." + file.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
    try (FileChannel channel =
        FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory();
  }

  /** Makes the rename itself durable; platforms that cannot open a directory skip it. */
  private void forceDirectory() {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Windows cannot open a directory as a channel; its renames are durable on their own.
    }
  }

  /**
   * Reads an entry file; empty if absent.
   *
   * @param expectedOperationId the id the file must hold, or null to accept any
   */
  private Optional<JournalEntry> read(Path file, String expectedOperationId) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    Map<String, String> fields = new HashMap<>();
    String[] lines = text.split("\n", -1);
    if (lines.length == 0 || !lines[0].equals(FORMAT_LINE)) {
      throw new JournalUnavailableException(
          "key journal entry " + file + " is not in the format '" + FORMAT_LINE + "'");
    }
    for (int i = 1; i < lines.length; i++) {
      int equals = lines[i].indexOf('=');
      if (equals > 0) {
        fields.put(lines[i].substring(0, equals), lines[i].substring(equals + 1));
      }
    }
    try {
      String operationId =
          URLDecoder.decode(required(fields, "operation-id", file), StandardCharsets.UTF_8);
      if (expectedOperationId != null && !expectedOperationId.equals(operationId)) {
        throw new JournalUnavailableException(
            "key journal entry "
                + file
                + " holds operation '"
                + operationId
                + "', not '"
                + expectedOperationId
                + "'");
      }
      Instant createdAt = Instant.parse(required(fields, "created-at", file));
      return Optional.of(
          new JournalEntry(
              operationId,
              IdempotencyKey.of(required(fields, "key", file)),
              Fingerprint.fromHex(required(fields, "fingerprint", file)),
              createdAt,
              createdAt.plus(retention)));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new JournalUnavailableException(
          "key journal entry " + file + " is unreadable: " + e.getMessage(), e);
    }
  }

  private static String required(Map<String, String> fields, String name, Path file) {
    String value = fields.get(name);
    if (value == null) {
      throw new JournalUnavailableException(
          "key journal entry " + file + " has no '" + name + "' line");
    }
    return value;
  }

  private JournalUnavailableException unavailable(String action, IOException e) {
    return new JournalUnavailableException(
        "cannot " + action + " the key journal " + directory + ": " + e, e);
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * Configures a {@link FileKeyJournal}; each setter rejects bad values at once. Not thread-safe.
   */
  public static final class Builder {
    private final Path directory;
    private Duration retention = Duration.ofHours(24);
    private InstantSource clock = InstantSource.system();

    private Builder(Path directory) {
      this.directory = directory;
    }

    /** How long an entry is honoured: positive, at most a year. Default 24 hours. */
    public Builder retention(Duration retention) {
      this.retention = Checks.positiveAtMost(retention, MAX_RETENTION, "retention");
      return this;
    }

    /** The clock that dates entries and decides expiry. Default: the system clock. */
    public Builder clock(InstantSource clock) {
      this.clock = Checks.notNull(clock, "clock");
      return this;
    }

    /**
     * Creates the directory if missing.
     *
     * @throws JournalUnavailableException if the directory cannot be created
     */
    public FileKeyJournal build() {
      return new FileKeyJournal(this);
    }
  }
}
