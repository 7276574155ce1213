package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.store.InMemoryIdempotencyStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StoreLocationTest {

  @Test
  void readsEveryForm() {
    assertEquals(StoreLocation.Kind.MEMORY, StoreLocation.parse("memory").kind());
    assertEquals(
        StoreLocation.Kind.SQLITE, StoreLocation.parse("sqlite:./idempo-data/idempo.db").kind());
    assertEquals(
        Path.of("./idempo-data/idempo.db"),
        StoreLocation.parse("sqlite:./idempo-data/idempo.db").sqliteFile());
    assertEquals(StoreLocation.Kind.REDIS, StoreLocation.parse("redis://127.0.0.1:6379").kind());
    assertEquals(
        StoreLocation.Kind.REDIS, StoreLocation.parse("rediss://cache.example:6380/2").kind());
    assertEquals(
        StoreLocation.Kind.POSTGRESQL,
        StoreLocation.parse("jdbc:postgresql://db:5432/app?user=u").kind());
    assertTrue(StoreLocation.parse("redis://h:1").isShared());
    assertFalse(StoreLocation.parse("sqlite:x.db").isShared());
    assertEquals(StoreLocation.DEFAULT, StoreLocation.parse("sqlite:./idempo-data/idempo.db"));
  }

  @Test
  void hidesPasswordsWhenPrinted() {
    assertEquals(
        "jdbc:postgresql://db/app?user=u&password=***&ssl=true",
        StoreLocation.parse("jdbc:postgresql://db/app?user=u&password=s3cret&ssl=true").toString());
    assertEquals(
        "redis://***@cache:6379", StoreLocation.parse("redis://:s3cret@cache:6379").toString());
    assertEquals(
        "redis://127.0.0.1:6379", StoreLocation.parse("redis://127.0.0.1:6379").toString());
  }

  @Test
  void refusesOtherFormsNamingThem() {
    for (String bad :
        new String[] {"mongodb://x", "sqlite:", "redis://", "", "postgres://db/app"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> StoreLocation.parse(bad), bad);
      assertTrue(e.getMessage().contains("store"), e.getMessage());
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> StoreLocation.parse("mysql://u:hunter2@db/app?password=hunter2"));
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }

  /** Issue 9 item 3: the memory store's capacity is configurable, and a bad one is refused. */
  @Test
  void memoryTakesACapacityAndRefusesBadOnes() {
    assertEquals(100_000, StoreLocation.parse("memory").memoryCapacity());
    assertEquals(200_000, StoreLocation.parse("memory:200000").memoryCapacity());
    assertEquals(StoreLocation.Kind.MEMORY, StoreLocation.parse("MEMORY:5").kind());
    assertFalse(StoreLocation.parse("memory:5").isShared());
    assertEquals(StoreLocation.memory(7), StoreLocation.parse("memory:7"));
    for (String bad :
        new String[] {
          "memory:", "memory:0", "memory:-1", "memory:1e6", "memory:100000001", "memory:99999999999"
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> StoreLocation.parse(bad), bad);
      assertTrue(
          e.getMessage().contains(bad) && e.getMessage().contains("memory:200000"), e.getMessage());
    }
    try (StoreConnection opened = StoreConnection.open(StoreLocation.parse("memory:3"), 1024)) {
      assertEquals(3, ((InMemoryIdempotencyStore) opened.store()).maxRecords());
      assertTrue(opened.purgesExpired());
    }
  }
}
