package dev.idempo.benchmarks;

import dev.idempo.redis.RedisIdempotencyStore;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.StorageKey;
import dev.idempo.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Redis behind {@link RedisIdempotencyStore}, filled by copying a template record: the store writes
 * one record through its API, and every loaded key is that record (the string the scripts wrote,
 * byte for byte) under the key name the store uses, with its own expiry, written as pipelined
 * {@code SET key record PXAT expiry} commands in batches of {@value #PIPELINE} keys. Redis never
 * holds an expired key, so the records {@link LoadedStore#expired} names expire within a minute of
 * loading instead: Redis's own expiry is this store's purge. Size is {@code INFO memory}'s {@code
 * used_memory}. Not thread-safe.
 */
final class RedisLoadedStore implements LoadedStore {
  private static final int PIPELINE = 10_000;
  private static final long EXPIRING_SPREAD_MS = 60_000;
  private static final byte[] SET = "SET".getBytes(StandardCharsets.UTF_8);
  private static final byte[] PXAT = "PXAT".getBytes(StandardCharsets.UTF_8);
  private static final byte[] CRLF = {'\r', '\n'};

  private final RedisServer server;
  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final StatefulRedisConnection<byte[], byte[]> loader;
  private final RedisIdempotencyStore store;
  private final String keyHead;
  private final String keyTail;
  private final byte[] record;

  RedisLoadedStore(RedisServer server) throws Exception {
    this.server = server;
    this.client = RedisClient.create(server.uri());
    this.connection = client.connect(ByteArrayCodec.INSTANCE);
    this.loader = client.connect(ByteArrayCodec.INSTANCE);
    this.store = RedisIdempotencyStore.builder(connection).build();
    StorageKey key = StorageKey.of(new byte[StorageKey.LENGTH]);
    ClaimResult claim = store.claim(key, FINGERPRINT, Duration.ofSeconds(30), LIVE_RETENTION);
    store.complete(key, ((ClaimResult.Acquired) claim).fence(), RESPONSE);
    // The fresh server holds only the template: its name shows how the store names keys.
    List<byte[]> keys = loader.sync().keys("*".getBytes(StandardCharsets.UTF_8));
    if (keys.size() != 1) {
      throw new IllegalStateException(
          "redis: expected only the template key, found " + keys.size());
    }
    String name = new String(keys.get(0), StandardCharsets.UTF_8);
    int at = name.indexOf(key.toString());
    if (at < 0) {
      throw new IllegalStateException("redis: the key " + name + " does not name " + key);
    }
    this.keyHead = name.substring(0, at);
    this.keyTail = name.substring(at + key.toString().length());
    this.record = loader.sync().get(keys.get(0));
  }

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public IdempotencyStore store() {
    return store;
  }

  @Override
  public boolean holdsExpired() {
    return false;
  }

  @Override
  public void load(long from, long to) throws IOException {
    long now = System.currentTimeMillis();
    long live = now + LIVE_RETENTION.toMillis();
    // Raw RESP on a socket of its own: Lettuce's per-command futures load ~20k keys/s here.
    try (Socket socket = new Socket(server.host(), server.port())) {
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
      BufferedReader replies =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8), 1 << 16);
      for (long batch = from; batch < to; batch += PIPELINE) {
        long end = Math.min(to, batch + PIPELINE);
        for (long i = batch; i < end; i++) {
          long expires =
              LoadedStore.expired(i)
                  ? now + 1_000 + (i / EXPIRED_EVERY) * 997 % EXPIRING_SPREAD_MS
                  : live;
          byte[] key = (keyHead + LoadedStore.key(i) + keyTail).getBytes(StandardCharsets.UTF_8);
          byte[] expiry = Long.toString(expires).getBytes(StandardCharsets.UTF_8);
          command(out, List.of(SET, key, record, PXAT, expiry));
        }
        out.flush();
        for (long n = 0; n < end - batch; n++) {
          String reply = replies.readLine();
          if (reply == null || !reply.equals("+OK")) {
            throw new IllegalStateException("redis: a bulk write was refused: " + reply);
          }
        }
      }
    }
  }

  private static void command(OutputStream out, List<byte[]> arguments) throws IOException {
    out.write(('*' + Integer.toString(arguments.size()) + "\r\n").getBytes(StandardCharsets.UTF_8));
    for (byte[] argument : arguments) {
      out.write(
          ('$' + Integer.toString(argument.length) + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.write(argument);
      out.write(CRLF);
    }
  }

  @Override
  public long sizeBytes() {
    String info = loader.sync().info("memory");
    for (String line : info.split("\r?\n", -1)) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    throw new IllegalStateException("redis: INFO memory has no used_memory line");
  }

  @Override
  public String sizeMeaning() {
    return "INFO memory used_memory";
  }

  @Override
  public void close() {
    try {
      store.close();
      loader.close();
      connection.close();
      client.shutdown();
    } finally {
      server.close();
    }
  }
}
