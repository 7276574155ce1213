package dev.idempo.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A test server could not be installed, started or restarted. The message says what is missing or
 * what failed, and how to fix it, and ends with the tail of the server's log when there is one.
 */
public class ServerStartException extends RuntimeException {
  private static final int LOG_TAIL_LINES = 40;

  public ServerStartException(String message) {
    super(message);
  }

  public ServerStartException(String message, Throwable cause) {
    super(message, cause);
  }

  static ServerStartException withLogTail(String message, Path log) {
    return new ServerStartException(message + "\n--- last lines of " + log + " ---\n" + tail(log));
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }
}
