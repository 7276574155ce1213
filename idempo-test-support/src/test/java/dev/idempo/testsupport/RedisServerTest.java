package dev.idempo.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RedisServerExtension.class)
class RedisServerTest {

  @Test
  void answersPingSetAndGetOverRawResp(RedisServer redis) throws Exception {
    try (RespClient client = new RespClient(redis.host(), redis.port())) {
      assertEquals("PONG", client.command("PING"));
      assertEquals("OK", client.command("SET", "answersPingSetAndGet", "value"));
      assertEquals("value", client.command("GET", "answersPingSetAndGet"));
    }
    assertEquals("redis://127.0.0.1:" + redis.port(), redis.uri());
  }

  @Test
  void defaultsDisablePersistenceAndEviction(RedisServer redis) throws Exception {
    try (RespClient client = new RespClient(redis.host(), redis.port())) {
      assertEquals(
          List.of("maxmemory-policy", "noeviction"),
          client.command("CONFIG", "GET", "maxmemory-policy"));
      assertEquals(List.of("save", ""), client.command("CONFIG", "GET", "save"));
      assertEquals(List.of("appendonly", "no"), client.command("CONFIG", "GET", "appendonly"));
      assertEquals(List.of("bind", "127.0.0.1"), client.command("CONFIG", "GET", "bind"));
    }
  }

  @Test
  void extraArgumentsOverrideTheDefaults() throws Exception {
    try (RedisServer redis = RedisServer.start("--maxmemory-policy", "allkeys-lru");
        RespClient client = new RespClient(redis.host(), redis.port())) {
      assertEquals(
          List.of("maxmemory-policy", "allkeys-lru"),
          client.command("CONFIG", "GET", "maxmemory-policy"));
    }
  }

  @Test
  void killedServerRestartsOnTheSamePortWithoutItsData() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      int port = redis.port();
      try (RespClient client = new RespClient(redis.host(), port)) {
        client.command("SET", "key", "value");
      }
      redis.kill();
      assertFalse(redis.isRunning());
      assertFalse(LoopbackPort.isAccepting(port));

      redis.restart();
      assertTrue(redis.isRunning());
      assertEquals(port, redis.port());
      try (RespClient client = new RespClient(redis.host(), port)) {
        assertEquals("PONG", client.command("PING"));
        assertNull(client.command("GET", "key"), "persistence is off, so a killed server forgets");
      }
    }
  }

  @Test
  void stopClosesThePortAndDeletesTheDirectory() {
    RedisServer redis = RedisServer.start();
    Path directory = redis.logFile().getParent();
    assertTrue(Files.isDirectory(directory));

    redis.stop();

    assertFalse(redis.isRunning());
    assertFalse(LoopbackPort.isAccepting(redis.port()));
    assertFalse(Files.exists(directory));
    redis.stop(); // idempotent
    assertThrows(IllegalStateException.class, redis::restart);
  }

  @Test
  void sharedServerIsStartedOnceAndCannotBeStoppedByATest(RedisServer redis) {
    assertSame(RedisServer.shared(), redis);
    assertThrows(IllegalStateException.class, redis::stop);
    assertThrows(IllegalStateException.class, redis::kill);
    assertTrue(redis.isRunning());
  }

  @Test
  void serverThatCannotStartFailsWithItsLog() {
    ServerStartException failure =
        assertThrows(
            ServerStartException.class, () -> RedisServer.start("--no-such-directive", "1"));
    assertTrue(failure.getMessage().contains("exited with code"), failure.getMessage());
    assertTrue(failure.getMessage().contains("no-such-directive"), failure.getMessage());
  }
}
