package dev.idempo.kafka.spring.autoconfigure;

import dev.idempo.kafka.spring.ListenerMessages;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code idempo.kafka.*}: the defaults of {@code @IdempotentListener} consumers. Bound once at
 * startup; not thread-safe to mutate.
 */
@ConfigurationProperties("idempo.kafka")
public class IdempoKafkaProperties {
  /** Defaults everywhere; Spring Boot binds {@code idempo.kafka.*} onto it. */
  public IdempoKafkaProperties() {}

  /** Whether {@code @IdempotentListener} methods are intercepted. */
  private boolean enabled = true;

  /** Where a record's id is by default: header:NAME, key or payload. */
  private String messageId = "header:idempo-message-id";

  /** The prefix of the messaging tables (dedup records and dead letters). */
  private String tablePrefix = "idempo_";

  /** How long a dedup record lives; a redelivery after that runs again. */
  private Duration retention = Duration.ofDays(7);

  /** Failures of one record after which it is parked as a dead letter and acknowledged. */
  private int maxFailures = 5;

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getMessageId() {
    return messageId;
  }

  /**
   * Sets where a record's message id comes from.
   *
   * @throws IllegalArgumentException naming {@code messageId} if it is not a known form
   */
  public void setMessageId(String messageId) {
    ListenerMessages.extractor(messageId);
    this.messageId = messageId;
  }

  public String getTablePrefix() {
    return tablePrefix;
  }

  public void setTablePrefix(String tablePrefix) {
    this.tablePrefix = tablePrefix;
  }

  public Duration getRetention() {
    return retention;
  }

  public void setRetention(Duration retention) {
    this.retention = retention;
  }

  public int getMaxFailures() {
    return maxFailures;
  }

  public void setMaxFailures(int maxFailures) {
    this.maxFailures = maxFailures;
  }
}
