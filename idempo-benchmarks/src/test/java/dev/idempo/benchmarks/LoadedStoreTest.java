package dev.idempo.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.ClaimResult;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.StorageKey;
import dev.idempo.testsupport.PostgresServer;
import dev.idempo.testsupport.RedisServer;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cost curves' bulk loaders, at 100 records, on the real servers: every record they write reads
 * back through the store's API as the store's own (a live one replays, an expired one is absent),
 * so the bulk format cannot drift from what the store writes without failing here.
 */
class LoadedStoreTest {
  private static final int N = 100;

  @TempDir Path temp;

  @Test
  void memoryRecordsReplay() throws Exception {
    try (LoadedStore loaded = new MemoryLoadedStore(10 * N)) {
      assertEveryRecordReadsBack(loaded);
    }
  }

  @Test
  void sqliteBulkRowsReplayThroughTheStore() throws Exception {
    try (LoadedStore loaded = JdbcLoadedStore.sqlite(temp.resolve("idempo.db"))) {
      assertEveryRecordReadsBack(loaded);
      assertTrue(loaded.sizeBytes() > 0);
    }
  }

  @Test
  void postgresBulkRowsReplayThroughTheStore() throws Exception {
    // The rows' keys come from sha256(int8send(i)) on the server; the replays prove they are
    // LoadedStore.key(i) in Java.
    try (LoadedStore loaded = JdbcLoadedStore.postgres(PostgresServer.start())) {
      assertEveryRecordReadsBack(loaded);
      assertTrue(loaded.sizeBytes() > 0);
    }
  }

  @Test
  void redisBulkRecordsReplayThroughTheStore() throws Exception {
    try (LoadedStore loaded = new RedisLoadedStore(RedisServer.start())) {
      assertEveryRecordReadsBack(loaded);
      assertTrue(loaded.sizeBytes() > 0);
    }
  }

  @Test
  void verifyRefusesABulkRowTheStoreDoesNotReplay() throws Exception {
    Path file = temp.resolve("drift.db");
    try (LoadedStore loaded = JdbcLoadedStore.sqlite(file)) {
      loaded.load(0, N);
      try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
          PreparedStatement drift =
              connection.prepareStatement(
                  "UPDATE idempo_records SET fingerprint = ? WHERE storage_key = ?")) {
        drift.setBytes(1, new byte[32]);
        drift.setBytes(2, LoadedStore.key(N - 1).toBytes());
        assertEquals(1, drift.executeUpdate());
      }
      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> LoadedStore.verify(loaded, 0, N, 5));
      assertTrue(refused.getMessage().contains("record " + (N - 1)), refused.getMessage());
    }
  }

  @Test
  void aMeasuredPointKeepsTheSizeAndDrawsAPlot() throws Exception {
    try (LoadedStore loaded = new MemoryLoadedStore(10_000)) {
      loaded.load(0, N);
      CurveRow row = CostCurveBenchmark.measure("run", loaded, N, 50, 10);
      assertEquals(50, row.ops());
      assertTrue(row.firstRunP99() >= row.firstRunP50() && row.firstRunP50() > 0, row.toString());
      assertEquals(row, CurveRow.parse(row.tsv()));
      Path png = temp.resolve("curves.png");
      CostCurvePlot.write(List.of(row), png);
      BufferedImage image = ImageIO.read(png.toFile());
      assertTrue(image.getWidth() > 0);
      assertTrue(CurveRow.markdown(List.of(row)).contains("| 100 |"));
    }
  }

  /** Loads two slices (as the benchmark grows a store) and reads every record back. */
  private static void assertEveryRecordReadsBack(LoadedStore loaded) throws Exception {
    loaded.load(0, N / 2);
    loaded.load(N / 2, N);
    IdempotencyStore store = loaded.store();
    for (long i = 0; i < N; i++) {
      StorageKey key = LoadedStore.key(i);
      if (LoadedStore.expired(i)) {
        if (loaded.holdsExpired()) {
          assertFalse(store.find(key).isPresent(), loaded.name() + " record " + i);
        }
        continue;
      }
      ClaimResult claim =
          store.claim(key, LoadedStore.FINGERPRINT, Duration.ofSeconds(30), Duration.ofHours(1));
      ClaimResult.Replay replay =
          assertInstanceOf(ClaimResult.Replay.class, claim, loaded.name() + " record " + i);
      assertEquals(LoadedStore.RESPONSE, replay.response());
      assertTrue(store.find(key).orElseThrow().expiresAt().isAfter(Instant.now()));
    }
    LoadedStore.verify(loaded, 0, N, 20);
    if (loaded instanceof JdbcLoadedStore) {
      // The purge finds exactly the records loaded expired (and nothing it should keep).
      assertEquals(N / LoadedStore.EXPIRED_EVERY, store.purgeExpired(1_000));
    }
  }
}
