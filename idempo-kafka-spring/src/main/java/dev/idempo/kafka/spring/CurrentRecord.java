package dev.idempo.kafka.spring;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.RecordInterceptor;

/**
 * Remembers the record a listener container thread is delivering, so that {@link
 * IdempotentListenerInterceptor} finds its id and headers whatever the listener method's parameters
 * are (a payload {@code String}, a converted object). Registered by the auto-configuration as the
 * containers' {@link RecordInterceptor}; never changes or skips a record. Thread-safe: one record
 * per thread.
 */
public final class CurrentRecord implements RecordInterceptor<Object, Object> {
  /** An interceptor that remembers each record on its container thread. */
  public CurrentRecord() {}

  private static final ThreadLocal<ConsumerRecord<?, ?>> CURRENT = new ThreadLocal<>();

  /** The record this thread's container is delivering, or null outside a delivery. */
  public static ConsumerRecord<?, ?> get() {
    return CURRENT.get();
  }

  @Override
  public ConsumerRecord<Object, Object> intercept(
      ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
    CURRENT.set(record);
    return record;
  }

  @Override
  public void afterRecord(
      ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
    CURRENT.remove();
  }
}
