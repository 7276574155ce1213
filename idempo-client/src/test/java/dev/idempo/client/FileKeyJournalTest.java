package dev.idempo.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileKeyJournalTest extends KeyJournalContract {
  @TempDir Path directory;

  @Override
  KeyJournal open(InstantSource clock, Duration retention) {
    return FileKeyJournal.builder(directory.resolve("journal"))
        .clock(clock)
        .retention(retention)
        .build();
  }

  private List<String> files() throws IOException {
    try (Stream<Path> files = Files.list(directory.resolve("journal"))) {
      return files.map(file -> file.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void oneReadableFilePerOperationAndNoTemporaryLeftovers() throws IOException {
    open().reserve("job-1", key("k1"), REQUEST_A);
    open().reserve("job-2", key("k2"), REQUEST_A);

    List<String> files = files();
    assertEquals(3, files.size(), files.toString()); // two entries and the lock file
    assertTrue(files.contains("journal.lock"));
    assertTrue(files.stream().noneMatch(name -> name.endsWith(".tmp")), files.toString());
    Path entry =
        directory
            .resolve("journal")
            .resolve(files.stream().filter(n -> n.endsWith(".entry")).findFirst().orElseThrow());
    String text = Files.readString(entry);
    assertTrue(text.startsWith("idempo-key-journal 1\n"), text);
    assertTrue(text.contains("fingerprint=" + REQUEST_A.toHex()), text);
  }

  @Test
  void aTornWriteLeftByACrashIsIgnoredAndPurged() throws IOException {
    open().reserve("job-1", key("k1"), REQUEST_A);
    Path journal = directory.resolve("journal");
    Files.writeString(
        journal.resolve(".deadbeef.entry.1234.tmp"), "idempo-key-journal 1\noperation-id=jo");

    assertEquals(key("k1"), open().reserve("job-1", key("k2"), REQUEST_A).key());
    assertEquals(0, open().purgeExpired());
    assertTrue(files().stream().noneMatch(name -> name.endsWith(".tmp")), files().toString());
  }

  @Test
  void aCorruptEntryIsReportedNotOverwritten() throws IOException {
    KeyJournal journal = open();
    journal.reserve("job-1", key("k1"), REQUEST_A);
    Path entry =
        directory
            .resolve("journal")
            .resolve(files().stream().filter(n -> n.endsWith(".entry")).findFirst().orElseThrow());
    Files.writeString(entry, "garbage");

    JournalUnavailableException e =
        assertThrows(
            JournalUnavailableException.class,
            () -> journal.reserve("job-1", key("k2"), REQUEST_A));
    assertTrue(e.getMessage().contains(entry.getFileName().toString()), e.getMessage());
    assertEquals("garbage", Files.readString(entry));
  }

  @Test
  void anUnusableDirectoryIsReported() throws IOException {
    Path file = Files.writeString(directory.resolve("not-a-directory"), "x");
    JournalUnavailableException e =
        assertThrows(
            JournalUnavailableException.class, () -> FileKeyJournal.open(file.resolve("journal")));
    assertTrue(e.getMessage().contains("not-a-directory"), e.getMessage());
  }
}
