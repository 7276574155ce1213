package dev.idempo.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One Lua script of the store: the shared head {@code record.lua} followed by the operation's body,
 * and its SHA-1 digest for {@code EVALSHA}. Immutable and thread-safe.
 */
final class RecordScript {
  static final RecordScript CLAIM = load("claim");
  static final RecordScript COMPLETE = load("complete");
  static final RecordScript RELEASE = load("release");
  static final RecordScript RENEW = load("renew");
  static final RecordScript CHECKPOINT = load("checkpoint");
  static final RecordScript ABANDON = load("abandon");
  static final RecordScript FIND = load("find");

  private final String name;
  private final byte[] source;
  private final String sha1;

  private RecordScript(String name, byte[] source) {
    this.name = name;
    this.source = source;
    this.sha1 = sha1Hex(source);
  }

  String name() {
    return name;
  }

  /** The script text, for {@code EVAL}; callers must not modify it. */
  byte[] source() {
    return source;
  }

  /** The lower-case hex SHA-1 of {@link #source()}, the name Redis caches the script under. */
  String sha1() {
    return sha1;
  }

  private static RecordScript load(String name) {
    String text = resource("record.lua") + "\n" + resource(name + ".lua");
    return new RecordScript(name, text.getBytes(StandardCharsets.UTF_8));
  }

  private static String resource(String file) {
    try (InputStream in = RecordScript.class.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException("script " + file + " is missing from the idempo-redis jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read script " + file, e);
    }
  }

  private static String sha1Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-1", e);
    }
  }
}
