package dev.idempo.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures what the store logs through {@link System.Logger}, which the JDK's default logger finder
 * backs with {@code java.util.logging} under the same name.
 */
final class LogCapture extends Handler implements AutoCloseable {
  private final Logger logger; // strong reference: java.util.logging holds loggers weakly
  private final List<String> warnings = new ArrayList<>();
  private final SimpleFormatter formatter = new SimpleFormatter();

  private LogCapture(Logger logger) {
    this.logger = logger;
  }

  static LogCapture store() {
    LogCapture capture = new LogCapture(Logger.getLogger(RedisIdempotencyStore.class.getName()));
    capture.logger.addHandler(capture);
    capture.logger.setUseParentHandlers(false); // expected warnings stay out of the build log
    return capture;
  }

  /** The warnings (and worse) logged so far, formatted. */
  synchronized List<String> warnings() {
    return List.copyOf(warnings);
  }

  @Override
  public synchronized void publish(LogRecord record) {
    if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
      warnings.add(formatter.formatMessage(record));
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
    logger.setUseParentHandlers(true);
  }
}
