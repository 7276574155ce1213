package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StoreLocationTest {

  @Test
  void readsEveryForm() {
    assertEquals(StoreLocation.Kind.MEMORY, StoreLocation.parse("memory").kind());
    assertEquals(StoreLocation.Kind.SQLITE, StoreLocation.parse("sqlite:./idempo-data/idempo.db").kind());
    assertEquals(Path.of("./idempo-data/idempo.db"), StoreLocation.parse("sqlite:./idempo-data/idempo.db").sqliteFile());
    assertEquals(StoreLocation.Kind.REDIS, StoreLocation.parse("redis://127.0.0.1:6379").kind());
    assertEquals(StoreLocation.Kind.REDIS, StoreLocation.parse("rediss://cache.example:6380/2").kind());
    assertEquals(StoreLocation.Kind.POSTGRESQL, StoreLocation.parse("jdbc:postgresql://db:5432/app?user=u").kind());
    assertTrue(StoreLocation.parse("redis://h:1").isShared());
    assertFalse(StoreLocation.parse("sqlite:x.db").isShared());
    assertEquals(StoreLocation.DEFAULT, StoreLocation.parse("sqlite:./idempo-data/idempo.db"));
  }

  @Test
  void hidesPasswordsWhenPrinted() {
    assertEquals("jdbc:postgresql://db/app?user=u&password=***&ssl=true",
        StoreLocation.parse("jdbc:postgresql://db/app?user=u&password=s3cret&ssl=true").toString());
    assertEquals("redis://***@cache:6379", StoreLocation.parse("redis://:s3cret@cache:6379").toString());
    assertEquals("redis://127.0.0.1:6379", StoreLocation.parse("redis://127.0.0.1:6379").toString());
  }

  @Test
  void refusesOtherFormsNamingThem() {
    for (String bad : new String[] {"mongodb://x", "sqlite:", "redis://", "", "postgres://db/app"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoreLocation.parse(bad), bad);
      assertTrue(e.getMessage().contains("store"), e.getMessage());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StoreLocation.parse("mysql://u:hunter2@db/app?password=hunter2"));
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }
}
